//! `connectwise-mcp`: the command line. Everything else is in the library.

use clap::Parser;

/// mimalloc rather than the system allocator: a call allocates many short-lived JSON values
/// across threads, where glibc's malloc spent about a fifth of the server's CPU under load and
/// left its arenas fragmented (resident memory grew with concurrency and stayed there).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's options (`mimalloc.h`, v3) that trade a little allocator speed for memory:
/// commit arena memory as it is used, and return freed pages to the OS at once. Measured
/// under 200 clients (BENCHMARKS.md): resident memory 54 → 36 MiB, throughput unchanged.
/// A `MIMALLOC_*` environment variable set to another value still wins.
///
/// On Linux this runs from `.init_array`, before `main` and before the Rust runtime allocates:
/// the arena option only affects arenas reserved after it is set, and the first is reserved
/// by the first allocation. Elsewhere it runs first thing in `main`.
#[cfg(target_os = "linux")]
#[used]
#[unsafe(link_section = ".init_array")]
static LEAN_ALLOCATOR: extern "C" fn() = {
    extern "C" fn run() {
        lean_allocator();
    }
    run
};

fn lean_allocator() {
    use std::os::raw::c_long;
    // (option number, v3's default, ours). An option still at its default was not set by its
    // `MIMALLOC_*` variable (mimalloc reads those itself, without allocating), and the
    // defaults double as a check that the numbering matches the linked mimalloc.
    const OPTIONS: [(libmimalloc_sys::mi_option_t, c_long, c_long); 2] = [
        (4, 2, 0),     // arena_eager_commit
        (15, 1000, 0), // purge_delay, in ms
    ];
    for (option, default, value) in OPTIONS {
        // SAFETY: reads and sets a process-wide tuning value; mimalloc allows both at any time.
        let current = unsafe { libmimalloc_sys::mi_option_get(option) };
        if current == default {
            unsafe { libmimalloc_sys::mi_option_set(option, value) };
        }
    }
}

fn main() -> std::process::ExitCode {
    #[cfg(not(target_os = "linux"))]
    lean_allocator();
    let args = connectwise_mcp::cli::Cli::parse();
    connectwise_mcp::cli::init_logging();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("connectwise-mcp: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let done = rt.block_on(connectwise_mcp::cli::run(args));
    // A read of stdin that never returns (a stdio server stopped by a signal) must not hold
    // the process open: what had to finish did so inside `run`.
    rt.shutdown_timeout(std::time::Duration::from_secs(1));
    match done {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("connectwise-mcp: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
