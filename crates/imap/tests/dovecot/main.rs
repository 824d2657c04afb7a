//! Integration tests of tidings-imap against a real Dovecot on loopback (one server per test,
//! from tidings-testkit). Protocol failures from scripted fake servers are the `faults` tests.
//!
//! They need `/usr/sbin/dovecot` (package dovecot-imapd) and root, like the testkit; without
//! Dovecot they fail with the testkit's "install dovecot-imapd" message. Every network await runs
//! under a timeout, so a hang fails the test instead of stalling the run.

mod bench;
mod bodies;
mod connect;
mod flags;
mod folders;
mod idle;
mod moves;
mod probe;
mod stars;
mod sync;
mod util;
mod voicebox;
