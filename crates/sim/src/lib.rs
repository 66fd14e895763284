//! Simulators of the help-center APIs (placeholder until the sim lands).
