//! Seed tests for workflows/timra (being written).
