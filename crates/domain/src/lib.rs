//! The Lotsenfinder's domain: the records and the sync protocol's wire types, their validation,
//! the German-aware search, the three-way merge of concurrent edits, the client's reaction to
//! sync answers and who may read and write what; the Projektbüro's figures (coverage, demand)
//! and file formats (CSV for Excel, iCalendar). Everything here is pure (no I/O) so that the
//! browser app and the server share one truth and it can be tested natively.

pub mod card;
pub mod coverage;
pub mod csv;
pub mod demand;
pub mod directory;
pub mod error;
pub mod ics;
pub mod logout;
pub mod matrix;
pub mod merge;
pub mod model;
pub mod normalize;
pub mod notify;
pub mod paging;
pub mod permission;
pub mod protocol;
pub mod qr;
pub mod replica;
pub mod routes;
pub mod search;
pub mod time;
pub mod validate;

#[doc(hidden)]
pub mod fixture;

pub use model::{Collection, Kind, Level, Status};
pub use protocol::{Envelope, FieldError, Mutation, MutationResult, MutationStatus};
