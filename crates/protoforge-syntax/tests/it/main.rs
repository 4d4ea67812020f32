mod comments;
mod rng;
mod walk;
