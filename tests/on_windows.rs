//! The Windows build under Wine, signing in against the fake GitHub through
//! real git: what git's storage semantics (in `git_storage`) do not cover.
