//! Seed tests for workflows/halmstad (being written).
