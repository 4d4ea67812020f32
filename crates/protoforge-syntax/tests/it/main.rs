mod comments;
mod fuzz;
mod rng;
mod walk;
