//! Tests of the store through the in-memory file layer.
