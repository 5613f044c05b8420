//! flipside store (being written).
