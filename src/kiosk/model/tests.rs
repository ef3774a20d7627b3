//! State-machine tests: the whole flow driven with made-up instants.
