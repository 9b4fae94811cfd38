//! `SignalKind`: which signal a [`Signal`](super::unix::Signal) listens
//! for, with tokio's names for the common ones.

use std::os::raw::c_int;

use signal_hook::consts as sig;

/// A Unix signal number, named as in tokio.
///
/// ```
/// use coop::signal::unix::SignalKind;
///
/// assert_eq!(SignalKind::interrupt().as_raw_value(), libc::SIGINT);
/// assert_eq!(SignalKind::from_raw(libc::SIGUSR1), SignalKind::user_defined1());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SignalKind(c_int);

/// One constructor per named signal, each with its doc line.
macro_rules! kinds {
    ($($(#[$doc:meta])* $name:ident => $raw:ident;)*) => {$(
        $(#[$doc])*
        ///
        /// ```
        /// use coop::signal::unix::SignalKind;
        ///
        #[doc = concat!("assert_eq!(SignalKind::", stringify!($name), "().as_raw_value(), libc::", stringify!($raw), ");")]
        /// ```
        pub const fn $name() -> SignalKind {
            SignalKind(sig::$raw)
        }
    )*};
}

impl SignalKind {
    /// Any signal, by its number (`libc::SIGRTMIN() + 1`, …).
    ///
    /// Nothing is checked here: [`signal`](super::unix::signal) refuses the
    /// numbers that cannot be listened for (`SIGKILL`, `SIGSTOP`, `SIGSEGV`,
    /// `SIGILL`, `SIGFPE`, and numbers that are no signal).
    ///
    /// ```
    /// use coop::signal::unix::SignalKind;
    ///
    /// assert_eq!(SignalKind::from_raw(libc::SIGTERM), SignalKind::terminate());
    /// ```
    pub const fn from_raw(signum: c_int) -> SignalKind {
        SignalKind(signum)
    }

    /// The signal's number.
    ///
    /// ```
    /// use coop::signal::unix::SignalKind;
    ///
    /// assert_eq!(SignalKind::hangup().as_raw_value(), libc::SIGHUP);
    /// ```
    pub const fn as_raw_value(&self) -> c_int {
        self.0
    }

    kinds! {
        /// `SIGALRM`: a timer set with `alarm(2)` ran out.
        alarm => SIGALRM;
        /// `SIGCHLD`: a child process exited or stopped.
        child => SIGCHLD;
        /// `SIGHUP`: the terminal hung up; daemons take it as "reload".
        hangup => SIGHUP;
        /// `SIGINT`: Ctrl-C in the terminal (see also
        /// [`ctrl_c`](crate::signal::ctrl_c)).
        interrupt => SIGINT;
        /// `SIGIO`: asynchronous I/O is possible.
        io => SIGIO;
        /// `SIGPIPE`: a write to a pipe or socket nobody reads any more.
        pipe => SIGPIPE;
        /// `SIGQUIT`: Ctrl-\ in the terminal.
        quit => SIGQUIT;
        /// `SIGTERM`: the polite "please exit" (`kill`'s default, systemd's
        /// stop).
        terminate => SIGTERM;
        /// `SIGUSR1`: meaning is up to the program.
        user_defined1 => SIGUSR1;
        /// `SIGUSR2`: meaning is up to the program.
        user_defined2 => SIGUSR2;
        /// `SIGWINCH`: the terminal window changed size.
        window_change => SIGWINCH;
    }
}

impl From<c_int> for SignalKind {
    /// Same as [`SignalKind::from_raw`].
    ///
    /// ```
    /// use coop::signal::unix::SignalKind;
    ///
    /// assert_eq!(SignalKind::from(libc::SIGCHLD), SignalKind::child());
    /// ```
    fn from(signum: c_int) -> SignalKind {
        SignalKind::from_raw(signum)
    }
}

impl From<SignalKind> for c_int {
    /// Same as [`SignalKind::as_raw_value`].
    ///
    /// ```
    /// use coop::signal::unix::SignalKind;
    ///
    /// assert_eq!(libc::c_int::from(SignalKind::quit()), libc::SIGQUIT);
    /// ```
    fn from(kind: SignalKind) -> c_int {
        kind.0
    }
}
