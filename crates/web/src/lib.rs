//! flipside web (being written).
