use core::fmt;

/// An error that occurred while decoding a model file.
///
/// This type is opaque on purpose: match on the predicates, and show the
/// [`Display`](fmt::Display) text to people. Decoding never panics and never
/// allocates from an untrusted length, whatever the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError(ErrorKind);

#[derive(Clone, Debug, PartialEq, Eq)]
enum ErrorKind {
    Truncated { what: &'static str },
    TrailingBytes,
    BadMagic,
    UnsupportedVersion { found: u16 },
    ChecksumMismatch,
    Invalid { what: &'static str },
}

impl DecodeError {
    #[cold]
    #[inline(never)]
    pub(crate) fn truncated(what: &'static str) -> DecodeError {
        DecodeError(ErrorKind::Truncated { what })
    }

    #[cold]
    #[inline(never)]
    pub(crate) fn trailing_bytes() -> DecodeError {
        DecodeError(ErrorKind::TrailingBytes)
    }

    #[cold]
    #[inline(never)]
    pub(crate) fn bad_magic() -> DecodeError {
        DecodeError(ErrorKind::BadMagic)
    }

    #[cold]
    #[inline(never)]
    pub(crate) fn unsupported_version(found: u16) -> DecodeError {
        DecodeError(ErrorKind::UnsupportedVersion { found })
    }

    #[cold]
    #[inline(never)]
    pub(crate) fn checksum_mismatch() -> DecodeError {
        DecodeError(ErrorKind::ChecksumMismatch)
    }

    #[cold]
    #[inline(never)]
    pub(crate) fn invalid(what: &'static str) -> DecodeError {
        DecodeError(ErrorKind::Invalid { what })
    }

    /// Returns true when the bytes are not a Shelfwise model at all (wrong
    /// magic): an HTML error page served in its place, for example.
    pub fn is_not_a_model(&self) -> bool {
        matches!(self.0, ErrorKind::BadMagic)
    }

    /// Returns true when the file is a Shelfwise model of a format version
    /// this build cannot read.
    pub fn is_unsupported_version(&self) -> bool {
        matches!(self.0, ErrorKind::UnsupportedVersion { .. })
    }

    /// Returns true when the file ends early (an interrupted download).
    pub fn is_truncated(&self) -> bool {
        matches!(self.0, ErrorKind::Truncated { .. })
    }

    /// Returns true when the header's checksum does not match the body.
    pub fn is_checksum_mismatch(&self) -> bool {
        matches!(self.0, ErrorKind::ChecksumMismatch)
    }

    /// A short, static description, for callers that avoid formatting
    /// machinery (the wasm build).
    pub fn as_str(&self) -> &'static str {
        match self.0 {
            ErrorKind::Truncated { .. } => "model file is truncated",
            ErrorKind::TrailingBytes => "model file has bytes after its last section",
            ErrorKind::BadMagic => "not a Shelfwise model file (bad magic)",
            ErrorKind::UnsupportedVersion { .. } => "unsupported model format version",
            ErrorKind::ChecksumMismatch => "model checksum mismatch (corrupt file)",
            ErrorKind::Invalid { .. } => "model file is structurally invalid",
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())?;
        match self.0 {
            ErrorKind::Truncated { what } | ErrorKind::Invalid { what } => write!(f, ": {what}"),
            ErrorKind::UnsupportedVersion { found } => {
                write!(f, ": found {found}, this build reads {}", super::VERSION)
            }
            _ => Ok(()),
        }
    }
}

impl std::error::Error for DecodeError {}
