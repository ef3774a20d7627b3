//! Tests of aggregation stores.
