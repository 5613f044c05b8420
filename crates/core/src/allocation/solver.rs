//! The exact solver: successive shortest paths over *tutors*, with tutor prices as duals.
//!
//! # Why hand-written
//! No crate on crates.io fits. `pathfinding`'s Kuhn–Munkres is dense O(n³) over a square
//! matrix (40,000 students × 40,000 tutor places is out of the question). `mcmf` binds LEMON's
//! network simplex through C++ (unmaintained since 2018, a C++ toolchain at build time, a
//! graph of hashed vertex names); `rs-graph` has a general network simplex in Rust. Both are
//! general min-cost-flow solvers that cannot see the shape this problem has: every student
//! wants one place, and there are few tutors (thousands) next to many students (tens of
//! thousands). The method below uses that shape, and on the institution-sized benchmark
//! (`bench/allocate`) it runs in about a third of the time of OR-Tools' cost-scaling
//! `SimpleMinCostFlow`, parsing and writing included.

//! # The method
//! Each tutor `t` has a price `p[t] ≥ 0`, zero while the tutor has a free place. A placed
//! student sits on an option of least *priced cost* `cost + p[tutor]`, the "unplaced" option
//! costing `N` at price 0. Those two facts are the complementary-slackness conditions of the
//! transportation problem, so an allocation that places everyone (or leaves them unplaced)
//! while keeping them is optimal.
//!
//! 1. Start: every student takes a cheapest option if it has room (prices are all zero).
//! 2. For each student left over, run Dijkstra over tutors (not over students): the distance
//!    of tutor `t2` through a student `s` placed at `t` is `d[t] + (priced cost of s at t2 −
//!    priced cost of s at t)`, never negative by the invariant. The search stops at the first
//!    tutor with room (or at "unplaced"), at distance `D`. Tutors settled before it get their
//!    price raised by `D − d[t]`, which keeps every placed student on a cheapest option, and
//!    the students along the path each move one tutor on.
//!
//! This is the Hungarian / Jonker–Volgenant shortest augmenting path method with tutor
//! capacities. Nearly all students are placed by step 1, a search only settles tutors closer
//! than the nearest free place, and it never leaves the connected part (in practice, the
//! faculty) of its student, so each of the few thousand searches touches a small part of the
//! millions of edges. Prices only rise, so a tutor with room always has price zero and an
//! unplaced student stays best off unplaced. A student for whom no search reaches a free place
//! never will later (Berge), so it is counted as unplaceable and the rest goes on: the count
//! is then students minus the maximum flow.
//!
//! Memory is compact: the edges are one CSR array (renumbered once so that each tutor's
//! students are consecutive, which is what a search reads); per student one assignment and
//! one position; per tutor a price, a load and a block of places.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::{Arc, Problem};

/// What one student ends with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Choice {
    /// Placed through this edge (an index into the problem's edge arrays).
    Edge(u32),
    /// Unplaced, at the unplaced cost, or not placeable at all.
    Unplaced,
}

/// The solver's answer.
pub(super) struct Solution {
    /// Each student's choice.
    pub edge_of: Vec<Choice>,
    /// Students no augmenting path could place (zero whenever there is an unplaced cost).
    pub unplaceable: usize,
}

const FREE: u32 = u32::MAX;
const UNPLACED: u32 = u32::MAX - 1;

/// A tutor's price and its distance in the current search, side by side because every edge
/// scanned reads both.
#[derive(Debug, Clone, Copy)]
struct Node {
    price: i64,
    dist: i64,
}

struct State<'a> {
    p: &'a Problem,
    unplaced_cost: Option<i64>,
    /// Index of the virtual "unplaced" tutor (= number of tutors): a place for everyone.
    /// Its price stays zero: it is never settled, only reached.
    virtual_unplaced: usize,
    /// Tutors, then the virtual unplaced tutor.
    nodes: Vec<Node>,
    /// Capacity, clamped to the tutor's number of edges.
    capacity: Vec<u32>,
    load: Vec<u32>,
    /// Tutor `t`'s students are `members[first_place[t]..first_place[t] + load[t]]`.
    first_place: Vec<usize>,
    members: Vec<u32>,
    /// Each student's edge index, or `FREE` / `UNPLACED`.
    assign: Vec<u32>,
    /// Each placed student's index within its tutor's block of `members`.
    position: Vec<u32>,
    // Dijkstra scratch. A settled tutor needs no flag: reduced costs are never negative, so
    // no edge can lower its distance again.
    /// How each tutor was reached: (student, edge), the edge being `UNPLACED` for the virtual
    /// tutor.
    pred: Vec<(u32, u32)>,
    touched: Vec<u32>,
    settled: Vec<u32>,
    /// Tutors settled by a search that found no free place. No path from them reaches a free
    /// place then or later (whatever moves, their students' edges stay), so later searches
    /// skip them: an infeasible instance costs one sweep per region, not one per student.
    dead: Vec<bool>,
    /// The nearest free place (a tutor with room, or the virtual unplaced tutor) reached so
    /// far in this search, and its tentative distance. Once the search gets that far it can
    /// stop: nothing left is nearer.
    nearest_sink: (i64, u32),
    heap: BinaryHeap<Reverse<(i64, u32)>>,
}

pub(super) fn solve(p: &Problem, unplaced_cost: Option<i64>) -> Solution {
    let m = p.tutors();
    let n = p.students();
    let mut degree = vec![0u32; m];
    for arc in &p.arcs {
        degree[arc.tutor as usize] += 1;
    }
    let capacity: Vec<u32> = p
        .capacities
        .iter()
        .zip(&degree)
        .map(|(&c, &d)| c.min(d))
        .collect();
    let initial = place_cheapest(p, &capacity, unplaced_cost);

    // Renumber students so that each tutor's students are consecutive, and with them their
    // edges: a search scans whole tutors, so it then reads memory in long runs instead of
    // jumping across the edge array (which made the solver memory-bound).
    let bucket = |a: u32| {
        if a >= UNPLACED {
            m
        } else {
            p.arcs[a as usize].tutor as usize
        }
    };
    let mut start = vec![0u32; m + 2];
    for &a in &initial {
        start[bucket(a) + 1] += 1;
    }
    for b in 0..=m {
        start[b + 1] += start[b];
    }
    let mut new_id = vec![0u32; n];
    let mut old_of = vec![0u32; n];
    let mut next = start.clone();
    for (s, &a) in initial.iter().enumerate() {
        let id = &mut next[bucket(a)];
        new_id[s] = *id;
        old_of[*id as usize] = s as u32;
        *id += 1;
    }
    let mut offsets = Vec::with_capacity(n + 1);
    let mut arcs = Vec::with_capacity(p.arcs.len());
    let mut assign = Vec::with_capacity(n);
    offsets.push(0u32);
    for &old in &old_of {
        let lo = p.offsets[old as usize];
        let a = initial[old as usize];
        assign.push(if a >= UNPLACED {
            a
        } else {
            arcs.len() as u32 + (a - lo)
        });
        arcs.extend_from_slice(&p.arcs[lo as usize..p.offsets[old as usize + 1] as usize]);
        offsets.push(arcs.len() as u32);
    }
    let q = Problem {
        capacities: Vec::new(),
        offsets,
        arcs,
    };

    let mut first_place = Vec::with_capacity(m + 1);
    let mut total = 0usize;
    for &c in &capacity {
        first_place.push(total);
        total += c as usize;
    }
    first_place.push(total);
    let mut members = vec![0u32; total];
    let mut position = vec![0u32; n];
    let mut load = vec![0u32; m];
    for t in 0..m {
        let ids = start[t]..start[t + 1];
        load[t] = ids.len() as u32;
        for (i, id) in ids.enumerate() {
            members[first_place[t] + i] = id;
            position[id as usize] = i as u32;
        }
    }
    let mut left_over: Vec<u32> = (start[m]..start[m + 1])
        .filter(|&id| assign[id as usize] == FREE)
        .collect();
    // Searches from students who want the same tutor read the same part of memory: run them
    // one after another.
    left_over.sort_by_cached_key(|&id| {
        let arcs = &q.arcs[q.offsets[id as usize] as usize..q.offsets[id as usize + 1] as usize];
        arcs.iter().min_by_key(|a| a.cost).map(|a| a.tutor)
    });
    let mut state = State {
        p: &q,
        unplaced_cost,
        virtual_unplaced: m,
        nodes: vec![
            Node {
                price: 0,
                dist: i64::MAX
            };
            m + 1
        ],
        capacity,
        load,
        first_place,
        members,
        assign,
        position,
        pred: vec![(0, 0); m + 1],
        touched: Vec::new(),
        settled: Vec::new(),
        dead: vec![false; m + 1],
        nearest_sink: (i64::MAX, 0),
        heap: BinaryHeap::new(),
    };
    let mut unplaceable = 0;
    for s in left_over {
        if !state.augment_from(s) {
            unplaceable += 1;
        }
    }
    let edge_of = (0..n)
        .map(|old| {
            let id = new_id[old] as usize;
            match state.assign[id] {
                a if a >= UNPLACED => Choice::Unplaced,
                a => Choice::Edge(p.offsets[old] + (a - q.offsets[id])),
            }
        })
        .collect();
    Solution {
        edge_of,
        unplaceable,
    }
}

/// Step 1: with all prices zero, give each student a cheapest option that has room. Returns
/// each student's edge index, `UNPLACED` when unplaced is (one of) the cheapest, or `FREE`.
fn place_cheapest(p: &Problem, capacity: &[u32], unplaced_cost: Option<i64>) -> Vec<u32> {
    let mut load = vec![0u32; capacity.len()];
    let mut initial = Vec::with_capacity(p.students());
    for s in 0..p.students() {
        let lo = p.offsets[s] as usize;
        let arcs = &p.arcs[lo..p.offsets[s + 1] as usize];
        let best = arcs
            .iter()
            .map(|a| a.cost)
            .min()
            .unwrap_or(i64::MAX)
            .min(unplaced_cost.unwrap_or(i64::MAX));
        let roomy = arcs.iter().position(|a| {
            let t = a.tutor as usize;
            a.cost == best && load[t] < capacity[t]
        });
        initial.push(if let Some(i) = roomy {
            load[arcs[i].tutor as usize] += 1;
            (lo + i) as u32
        } else if unplaced_cost == Some(best) {
            UNPLACED
        } else {
            FREE
        });
    }
    initial
}

impl State<'_> {
    fn arcs_of(&self, s: usize) -> (usize, &[Arc]) {
        let lo = self.p.offsets[s] as usize;
        let hi = self.p.offsets[s + 1] as usize;
        (lo, &self.p.arcs[lo..hi])
    }

    fn has_room(&self, t: usize) -> bool {
        self.load[t] < self.capacity[t]
    }

    fn add_member(&mut self, t: usize, s: u32) {
        let at = self.load[t];
        self.members[self.first_place[t] + at as usize] = s;
        self.position[s as usize] = at;
        self.load[t] = at + 1;
    }

    fn remove_member(&mut self, t: usize, s: u32) {
        let last = self.load[t] - 1;
        let at = self.position[s as usize];
        let moved = self.members[self.first_place[t] + last as usize];
        self.members[self.first_place[t] + at as usize] = moved;
        self.position[moved as usize] = at;
        self.load[t] = last;
    }

    /// Lowers tutor `t`'s tentative distance to `d` if that is shorter.
    fn relax(&mut self, t: usize, d: i64, s: u32, e: u32) {
        let node = &mut self.nodes[t];
        if d < node.dist {
            if node.dist == i64::MAX {
                self.touched.push(t as u32);
            }
            node.dist = d;
            self.pred[t] = (s, e);
            self.heap.push(Reverse((d, t as u32)));
            self.note_sink(t, d);
        }
    }

    /// Remembers `t` at distance `d` if it is a free place nearer than any so far.
    fn note_sink(&mut self, t: usize, d: i64) {
        if d < self.nearest_sink.0 && (t == self.virtual_unplaced || self.has_room(t)) {
            self.nearest_sink = (d, t as u32);
        }
    }

    /// Relaxes every option of student `s`, whose current option sits at distance `base`
    /// (already net of what the student holds now). The hot loop of the solver.
    fn relax_options(&mut self, s: u32, base: i64) {
        let p = self.p;
        let lo = p.offsets[s as usize] as usize;
        let hi = p.offsets[s as usize + 1] as usize;
        for (e, arc) in (lo..).zip(&p.arcs[lo..hi]) {
            let t = arc.tutor as usize;
            let node = &mut self.nodes[t];
            let d = base + arc.cost + node.price;
            if d < node.dist {
                if node.dist == i64::MAX {
                    self.touched.push(t as u32);
                }
                node.dist = d;
                self.pred[t] = (s, e as u32);
                self.heap.push(Reverse((d, t as u32)));
                self.note_sink(t, d);
            }
        }
        if let Some(n) = self.unplaced_cost {
            self.relax(self.virtual_unplaced, base + n, s, UNPLACED);
        }
    }

    /// Step 2 for one free student: shortest augmenting path, price update, augmentation.
    /// Returns false when no path reaches a free place.
    fn augment_from(&mut self, s0: u32) -> bool {
        let (_, arcs) = self.arcs_of(s0 as usize);
        let mut v0 = self.unplaced_cost.unwrap_or(i64::MAX);
        for a in arcs {
            v0 = v0.min(a.cost + self.nodes[a.tutor as usize].price);
        }
        self.relax_options(s0, -v0);
        let mut sink = None;
        while let Some(Reverse((d, t))) = self.heap.pop() {
            if d >= self.nearest_sink.0 {
                // Every tutor still queued is at least as far as a free place already reached
                // (this also covers popping that place itself).
                sink = Some((self.nearest_sink.1 as usize, self.nearest_sink.0));
                break;
            }
            let t = t as usize;
            if d > self.nodes[t].dist || self.dead[t] {
                continue; // a stale entry, or a tutor from which no free place can be reached
            }
            self.settled.push(t as u32);
            let first = self.first_place[t];
            for place in first..first + self.load[t] as usize {
                if self.nearest_sink.0 <= d {
                    // A free place as near as this tutor: the search ends at it. The rest of
                    // this tutor's students need no scan, because its price will not move
                    // (the rise is the free place's distance minus this tutor's, zero).
                    break;
                }
                let s = self.members[place];
                let held = self.p.arcs[self.assign[s as usize] as usize];
                let held_value = held.cost + self.nodes[held.tutor as usize].price;
                self.relax_options(s, d - held_value);
            }
        }
        if let Some((sink, reach)) = sink {
            for &t in &self.settled {
                let node = &mut self.nodes[t as usize];
                node.price += reach - node.dist;
            }
            self.shift_along_path(sink);
        } else {
            for &t in &self.settled {
                self.dead[t as usize] = true;
            }
        }
        self.heap.clear();
        self.nearest_sink = (i64::MAX, 0);
        for &t in &self.touched {
            self.nodes[t as usize].dist = i64::MAX;
        }
        self.touched.clear();
        self.settled.clear();
        sink.is_some()
    }

    /// Moves each student on the shortest path one tutor on, ending with the free student.
    fn shift_along_path(&mut self, sink: usize) {
        let mut t = sink;
        loop {
            let (s, e) = self.pred[t];
            let held = self.assign[s as usize];
            if held != FREE {
                // A student on the path is always placed at a tutor, never unplaced.
                self.remove_member(self.p.arcs[held as usize].tutor as usize, s);
            }
            if t == self.virtual_unplaced {
                self.assign[s as usize] = UNPLACED;
            } else {
                self.add_member(t, s);
                self.assign[s as usize] = e;
            }
            if held == FREE {
                return;
            }
            t = self.p.arcs[held as usize].tutor as usize;
        }
    }
}
