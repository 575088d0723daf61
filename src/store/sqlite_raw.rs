//! Reading SQLite through its C API, for the one read where sqlx's per-row cost is the
//! whole cost: `audit verify`'s walk over every event (issue 10: ≥ 500 000 events/s on one
//! core). sqlx-sqlite copies each row's values out of the statement and hands the row from
//! its worker thread to the async task, ~2 µs a row; here a step and borrowed column bytes
//! cost what SQLite costs (BENCHMARKS.md, "Issue 10: the tamper-evident history").
//!
//! The crate's only `unsafe`, kept to this file and small: a statement prepared on a
//! handle sqlx has locked out from its worker ([`sqlx::sqlite::LockedSqliteHandle`]),
//! stepped, read and finalized here. The safe interface makes the C API's rules hold by
//! borrowing: a [`Statement`] borrows the lock (cannot outlive it or run beside sqlx), and
//! a [`Row`]'s bytes borrow the statement (cannot outlive the step they came from).

#![allow(unsafe_code)]

use libsqlite3_sys as ffi;
use sqlx::sqlite::LockedSqliteHandle;
use std::ffi::{CStr, c_int};
use std::marker::PhantomData;
use std::ptr::NonNull;

/// Turns off SQLite's memory statistics for this process: with them on, every allocation
/// SQLite makes takes a process-wide mutex and updates counters nobody here reads (~4 % of
/// the daemon's CPU at the morning tick, BENCHMARKS.md). SQLite takes its configuration
/// when it initializes, so this must run before the first connection opens; later (or
/// twice) SQLite refuses it and nothing changes.
pub fn no_memory_statistics() {
    // SAFETY: `sqlite3_config` with `SQLITE_CONFIG_MEMSTATUS` takes one int. Called before
    // SQLite initializes (the binary's first step), no other thread uses SQLite yet; after
    // initialization it returns SQLITE_MISUSE and changes nothing.
    unsafe {
        ffi::sqlite3_config(ffi::SQLITE_CONFIG_MEMSTATUS, 0 as c_int);
    }
}

/// An error from SQLite: its result code and message.
#[derive(Debug)]
pub struct RawError {
    pub code: c_int,
    pub message: String,
}

impl std::fmt::Display for RawError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SQLite {}: {}", self.code, self.message)
    }
}

/// A prepared statement on a locked handle, finalized on drop.
pub struct Statement<'h> {
    db: NonNull<ffi::sqlite3>,
    stmt: NonNull<ffi::sqlite3_stmt>,
    _lock: PhantomData<&'h mut ()>,
}

impl<'h> Statement<'h> {
    /// Prepares `sql` (one statement) on the handle.
    pub fn prepare(handle: &'h mut LockedSqliteHandle<'_>, sql: &str) -> Result<Statement<'h>, RawError> {
        let db = handle.as_raw_handle();
        let len = c_int::try_from(sql.len()).map_err(|_| RawError { code: ffi::SQLITE_TOOBIG, message: "statement too long".into() })?;
        let mut stmt = std::ptr::null_mut();
        // SAFETY: `db` is an open connection that no other thread uses while the lock is
        // held (the lock outlives the statement: `'h`); `sql` is valid for `len` bytes and
        // need not be NUL-terminated when its length is given.
        let rc = unsafe { ffi::sqlite3_prepare_v2(db.as_ptr(), sql.as_ptr().cast(), len, &mut stmt, std::ptr::null_mut()) };
        if rc != ffi::SQLITE_OK {
            return Err(error(db, rc));
        }
        let stmt = NonNull::new(stmt).ok_or_else(|| RawError { code: ffi::SQLITE_MISUSE, message: "empty statement".into() })?;
        Ok(Statement { db, stmt, _lock: PhantomData })
    }

    /// Binds the integer `value` to parameter `index` (from 1).
    pub fn bind(&mut self, index: c_int, value: i64) -> Result<(), RawError> {
        // SAFETY: a live statement; SQLite checks the index.
        let rc = unsafe { ffi::sqlite3_bind_int64(self.stmt.as_ptr(), index, value) };
        if rc == ffi::SQLITE_OK { Ok(()) } else { Err(error(self.db, rc)) }
    }

    /// The next row, or `None` when done.
    pub fn step(&mut self) -> Result<Option<Row<'_>>, RawError> {
        // SAFETY: a live statement; no `Row` of the previous step is alive (it borrows
        // `self` mutably), so no pointer into the previous row survives this call.
        match unsafe { ffi::sqlite3_step(self.stmt.as_ptr()) } {
            ffi::SQLITE_ROW => Ok(Some(Row { stmt: self.stmt, _step: PhantomData })),
            ffi::SQLITE_DONE => Ok(None),
            rc => Err(error(self.db, rc)),
        }
    }
}

impl Drop for Statement<'_> {
    fn drop(&mut self) {
        // SAFETY: the statement was prepared by `prepare` and is finalized once.
        unsafe { ffi::sqlite3_finalize(self.stmt.as_ptr()) };
    }
}

/// The current row of a [`Statement`]; its bytes live until the next step.
pub struct Row<'s> {
    stmt: NonNull<ffi::sqlite3_stmt>,
    _step: PhantomData<&'s mut ()>,
}

impl<'s> Row<'s> {
    fn kind(&self, column: c_int) -> c_int {
        // SAFETY: a live statement on a row; an out-of-range column gives SQLITE_NULL.
        unsafe { ffi::sqlite3_column_type(self.stmt.as_ptr(), column) }
    }

    /// The column's integer; `None` when it is NULL or not stored as an integer.
    pub fn int(&self, column: c_int) -> Option<i64> {
        // SAFETY: as above; reading an integer column as an integer converts nothing.
        (self.kind(column) == ffi::SQLITE_INTEGER).then(|| unsafe { ffi::sqlite3_column_int64(self.stmt.as_ptr(), column) })
    }

    /// The column's bytes as text (an integer or real in its text form, a blob as stored);
    /// `None` when it is NULL.
    pub fn bytes(&self, column: c_int) -> Option<&'s [u8]> {
        // SAFETY: as above. `sqlite3_column_text` then `sqlite3_column_bytes` (the order the
        // SQLite docs give); the pointer is valid until the statement steps, resets or is
        // finalized — all of which need `&mut Statement`, which this row's `'s` borrow
        // excludes — or the value is converted to UTF-16, which this module never asks for.
        unsafe {
            let p = ffi::sqlite3_column_text(self.stmt.as_ptr(), column);
            if p.is_null() {
                // NULL; else an empty blob (or out of memory: empty, and then no match).
                return (self.kind(column) != ffi::SQLITE_NULL).then_some(&[]);
            }
            let n = ffi::sqlite3_column_bytes(self.stmt.as_ptr(), column);
            Some(std::slice::from_raw_parts(p, usize::try_from(n).unwrap_or(0)))
        }
    }
}

fn error(db: NonNull<ffi::sqlite3>, code: c_int) -> RawError {
    // SAFETY: `db` is open; the message is a NUL-terminated string owned by SQLite, copied
    // at once.
    let message = unsafe { CStr::from_ptr(ffi::sqlite3_errmsg(db.as_ptr())) }.to_string_lossy().into_owned();
    RawError { code, message }
}
