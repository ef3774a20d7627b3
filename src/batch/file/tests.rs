//! Tests of the batch file format.
