//! Seed tests for workflows/hoor (being written).
