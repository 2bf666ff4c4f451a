//! Output rendered on every core and written in order. After the statuses
//! the host's cores are free, and turning a million memberships into JSON
//! was as long as computing their statuses on one core. Each thread renders
//! ranges of positions into its own buffer; the caller's thread writes the
//! buffers in position order, so the output is what one thread would write.

use std::io::{self, Write};
use std::num::NonZeroUsize;
use std::ops::Range;
use std::sync::mpsc;

/// At most this many rendering threads (the machine's cores, if fewer).
const RENDERERS: usize = 4;

/// How many threads may render at once: the machine's cores, at most
/// [`RENDERERS`], less those that another part of the process keeps busy
/// while the output is written, and never fewer than one (the caller's).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Renderers(usize);

impl Renderers {
    /// Every core but the `busy` ones that other threads are using.
    pub fn beside(busy: usize) -> Self {
        let cores = std::thread::available_parallelism().map_or(1, NonZeroUsize::get);
        Renderers(cores.saturating_sub(busy).clamp(1, RENDERERS))
    }
}

/// Renders positions `0..len`, at most `per_buffer` to a buffer, each
/// range by `render` appending to an empty buffer, and writes the buffers
/// to `out` in order. Ranges go to the threads in turn and each thread has
/// at most one finished buffer waiting, so memory holds about two buffers
/// per thread whatever `len` is. The first error, from `render` or `out`,
/// stops the rest and is returned; a single range is rendered on the
/// caller's thread, and so is everything when `renderers` is one.
pub fn write_rendered(
    len: usize,
    per_buffer: usize,
    renderers: Renderers,
    render: impl Fn(Range<usize>, &mut Vec<u8>) -> io::Result<()> + Sync,
    out: &mut dyn Write,
) -> io::Result<()> {
    let per_buffer = per_buffer.max(1);
    let range = |i: usize| i * per_buffer..len.min((i + 1) * per_buffer);
    let count = len.div_ceil(per_buffer);
    let threads = renderers.0.min(count);
    if threads <= 1 {
        let mut buffer = Vec::new();
        for i in 0..count {
            buffer.clear();
            render(range(i), &mut buffer)?;
            out.write_all(&buffer)?;
        }
        return Ok(());
    }
    std::thread::scope(|s| {
        let render = &render;
        // Thread `t` renders ranges t, t + threads, …; each mailbox holds
        // one finished buffer, so a thread runs at most one range ahead.
        let mailboxes: Vec<mpsc::Receiver<io::Result<Vec<u8>>>> = (0..threads)
            .map(|t| {
                let (send, mailbox) = mpsc::sync_channel(1);
                s.spawn(move || {
                    for i in (t..count).step_by(threads) {
                        let mut buffer = Vec::new();
                        let rendered = render(range(i), &mut buffer).map(|()| buffer);
                        let failed = rendered.is_err();
                        // A closed mailbox: the writer stopped on an error.
                        if send.send(rendered).is_err() || failed {
                            return;
                        }
                    }
                });
                mailbox
            })
            .collect();
        for i in 0..count {
            let buffer = mailboxes[i % threads]
                .recv()
                .map_err(|_| io::Error::other("a rendering thread stopped early"))??;
            out.write_all(&buffer)?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbers(r: Range<usize>, b: &mut Vec<u8>) -> io::Result<()> {
        r.for_each(|i| b.extend_from_slice(format!("{i},").as_bytes()));
        Ok(())
    }

    #[test]
    fn writes_every_position_once_in_order() {
        for threads in 1..=RENDERERS {
            for (len, per) in [(0, 3), (1, 3), (3, 3), (10, 3), (1000, 7), (5, 0)] {
                let mut out = Vec::new();
                write_rendered(len, per, Renderers(threads), numbers, &mut out).unwrap();
                let want: String = (0..len).map(|i| format!("{i},")).collect();
                let got = String::from_utf8(out).unwrap();
                assert_eq!(got, want, "{len} by {per} on {threads}");
            }
        }
    }

    #[test]
    fn busy_cores_leave_at_least_the_callers_thread() {
        assert_eq!(Renderers::beside(usize::MAX), Renderers(1));
        assert!((1..=RENDERERS).contains(&Renderers::beside(0).0));
        assert!(Renderers::beside(1).0 <= Renderers::beside(0).0);
    }

    #[test]
    fn a_rendering_error_stops_the_output_and_is_returned() {
        let mut out = Vec::new();
        let e = write_rendered(
            100,
            10,
            Renderers(2),
            |r, b| match r.start {
                50 => Err(io::Error::other("position 50")),
                _ => numbers(r, b),
            },
            &mut out,
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "position 50");
        let want: String = (0..50).map(|i| format!("{i},")).collect();
        assert_eq!(String::from_utf8(out).unwrap(), want);
    }

    /// A sink that refuses writes after `room` bytes, like a closed pipe.
    struct Full {
        room: usize,
    }

    impl Write for Full {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            if b.len() > self.room {
                return Err(io::Error::from(io::ErrorKind::BrokenPipe));
            }
            self.room -= b.len();
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_write_error_stops_the_threads_and_is_returned() {
        let e = write_rendered(100_000, 10, Renderers(2), numbers, &mut Full { room: 100 })
            .unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::BrokenPipe);
    }
}
