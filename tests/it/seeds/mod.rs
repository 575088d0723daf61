//! The seeds in ../shared/seeds, encoded under workflows/: concrete dates the documents imply.

mod halmstad;
mod hoor;
mod timra;
