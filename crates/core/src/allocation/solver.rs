//! The exact solver: successive shortest paths over *tutors*, with tutor prices as duals.
//!
//! # Why hand-written
//! No crate on crates.io solves min-cost flow at this size well: `pathfinding`'s Kuhn–Munkres
//! is dense O(n³) over a square matrix (40,000 students × 40,000 tutor places is out of the
//! question), and the general min-cost-flow crates run plain successive shortest paths or a
//! simplex without the structure below, far slower than OR-Tools. The problem, however, has a
//! shape that a general solver cannot see: every student wants one place, and there are few
//! tutors (thousands) next to many students (tens of thousands).
//!
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
//! Memory is compact: the edges are the problem's CSR arrays; per student one assignment and
//! one position; per tutor a price, a load and a block of places.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::Problem;

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

struct State<'a> {
    p: &'a Problem,
    unplaced_cost: Option<i64>,
    /// Index of the virtual "unplaced" tutor (= number of tutors): a place for everyone.
    virtual_unplaced: usize,
    price: Vec<i64>,
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
    // Dijkstra scratch, over tutors plus the virtual unplaced tutor.
    dist: Vec<i64>,
    settled: Vec<bool>,
    pred_student: Vec<u32>,
    pred_edge: Vec<u32>,
    touched: Vec<u32>,
    settled_list: Vec<u32>,
    heap: BinaryHeap<Reverse<(i64, u32)>>,
}

pub(super) fn solve(p: &Problem, unplaced_cost: Option<i64>) -> Solution {
    let m = p.tutors();
    let mut degree = vec![0u32; m];
    for &t in &p.edge_tutor {
        degree[t as usize] += 1;
    }
    let capacity: Vec<u32> = p
        .capacities
        .iter()
        .zip(&degree)
        .map(|(&c, &d)| c.min(d))
        .collect();
    let mut first_place = Vec::with_capacity(m + 1);
    let mut total = 0usize;
    for &c in &capacity {
        first_place.push(total);
        total += c as usize;
    }
    first_place.push(total);
    let n = p.students();
    let mut state = State {
        p,
        unplaced_cost,
        virtual_unplaced: m,
        price: vec![0; m],
        capacity,
        load: vec![0; m],
        first_place,
        members: vec![0; total],
        assign: vec![FREE; n],
        position: vec![0; n],
        dist: vec![i64::MAX; m + 1],
        settled: vec![false; m + 1],
        pred_student: vec![0; m + 1],
        pred_edge: vec![0; m + 1],
        touched: Vec::new(),
        settled_list: Vec::new(),
        heap: BinaryHeap::new(),
    };
    let left_over = state.place_cheapest();
    let mut unplaceable = 0;
    for s in left_over {
        if !state.augment_from(s) {
            unplaceable += 1;
        }
    }
    let edge_of = state
        .assign
        .iter()
        .map(|&a| {
            if a >= UNPLACED {
                Choice::Unplaced
            } else {
                Choice::Edge(a)
            }
        })
        .collect();
    Solution {
        edge_of,
        unplaceable,
    }
}

impl State<'_> {
    fn edge_range(&self, s: usize) -> std::ops::Range<usize> {
        self.p.offsets[s] as usize..self.p.offsets[s + 1] as usize
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

    /// Step 1: with all prices zero, give each student a cheapest option that has room.
    /// Returns the students left over.
    fn place_cheapest(&mut self) -> Vec<u32> {
        let mut left_over = Vec::new();
        for s in 0..self.p.students() {
            let range = self.edge_range(s);
            let best = self.p.edge_cost[range.clone()]
                .iter()
                .copied()
                .min()
                .unwrap_or(i64::MAX)
                .min(self.unplaced_cost.unwrap_or(i64::MAX));
            let roomy = range.clone().find(|&e| {
                self.p.edge_cost[e] == best && self.has_room(self.p.edge_tutor[e] as usize)
            });
            if let Some(e) = roomy {
                self.add_member(self.p.edge_tutor[e] as usize, s as u32);
                self.assign[s] = e as u32;
            } else if self.unplaced_cost == Some(best) {
                self.assign[s] = UNPLACED;
            } else {
                left_over.push(s as u32);
            }
        }
        left_over
    }

    /// Priced cost of the option a placed student holds now.
    fn held_value(&self, s: usize) -> i64 {
        let e = self.assign[s] as usize;
        self.p.edge_cost[e] + self.price[self.p.edge_tutor[e] as usize]
    }

    fn relax(&mut self, t: usize, d: i64, s: u32, e: u32) {
        if d < self.dist[t] {
            if self.dist[t] == i64::MAX {
                self.touched.push(t as u32);
            }
            self.dist[t] = d;
            self.pred_student[t] = s;
            self.pred_edge[t] = e;
            self.heap.push(Reverse((d, t as u32)));
        }
    }

    /// Step 2 for one free student: shortest augmenting path, price update, augmentation.
    /// Returns false when no path reaches a free place.
    fn augment_from(&mut self, s0: u32) -> bool {
        let s0u = s0 as usize;
        let range = self.edge_range(s0u);
        let mut v0 = self.unplaced_cost.unwrap_or(i64::MAX);
        for e in range.clone() {
            v0 = v0.min(self.p.edge_cost[e] + self.price[self.p.edge_tutor[e] as usize]);
        }
        for e in range {
            let t = self.p.edge_tutor[e] as usize;
            let d = self.p.edge_cost[e] + self.price[t] - v0;
            self.relax(t, d, s0, e as u32);
        }
        if let Some(n) = self.unplaced_cost {
            self.relax(self.virtual_unplaced, n - v0, s0, UNPLACED);
        }
        let mut sink = None;
        while let Some(Reverse((d, t))) = self.heap.pop() {
            let t = t as usize;
            if self.settled[t] || d > self.dist[t] {
                continue;
            }
            if t == self.virtual_unplaced || self.has_room(t) {
                sink = Some((t, d));
                break;
            }
            self.settled[t] = true;
            self.settled_list.push(t as u32);
            let block = self.first_place[t]..self.first_place[t] + self.load[t] as usize;
            for place in block {
                let s = self.members[place];
                let base = d - self.held_value(s as usize);
                for e in self.edge_range(s as usize) {
                    let t2 = self.p.edge_tutor[e] as usize;
                    if !self.settled[t2] {
                        let nd = base + self.p.edge_cost[e] + self.price[t2];
                        self.relax(t2, nd, s, e as u32);
                    }
                }
                if let Some(n) = self.unplaced_cost {
                    self.relax(self.virtual_unplaced, base + n, s, UNPLACED);
                }
            }
        }
        if let Some((sink, reach)) = sink {
            for &t in &self.settled_list {
                let t = t as usize;
                self.price[t] += reach - self.dist[t];
            }
            self.shift_along_path(sink);
        }
        self.heap.clear();
        for &t in &self.touched {
            self.dist[t as usize] = i64::MAX;
        }
        for &t in &self.settled_list {
            self.settled[t as usize] = false;
        }
        self.touched.clear();
        self.settled_list.clear();
        sink.is_some()
    }

    /// Moves each student on the shortest path one tutor on, ending with the free student.
    fn shift_along_path(&mut self, sink: usize) {
        let mut t = sink;
        loop {
            let s = self.pred_student[t];
            let e = self.pred_edge[t];
            let held = self.assign[s as usize];
            if held != FREE {
                // A student on the path is always placed at a tutor, never unplaced.
                self.remove_member(self.p.edge_tutor[held as usize] as usize, s);
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
            t = self.p.edge_tutor[held as usize] as usize;
        }
    }
}
