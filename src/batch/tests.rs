//! The batch tests that need site stores, aggregation stores and batches: all made by one fixture
//! ([`fixture`]), which exports and imports with the modules under test. They live here, apart
//! from the code they test, so that no module of `batch` depends in its tests on a sibling that
//! depends on it (`scripts/module-cycles.py`). Tests that need no store stay beside their code.

pub(crate) mod fixture;

mod aggregate;
mod export;
mod faults;
mod file;
mod import;
