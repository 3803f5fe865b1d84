//! Real processes for the cross-process tests: the binaries of the profile the test was built
//! with, free loopback ports, a child killed when dropped, and waiting for a URL to answer.

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

pub fn binary(name: &str) -> PathBuf {
    // target/<profile>/deps/<test>-… (or examples/<example>) → target/<profile>/<name>
    let exe = std::env::current_exe().unwrap();
    let path = exe.parent().and_then(Path::parent).unwrap().join(name);
    assert!(
        path.is_file(),
        "{} is missing: build it with `cargo build --release -p smart_tags_service -p smart_tags_proxy`",
        path.display()
    );
    path
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

pub struct Process {
    pub child: Child,
    pub log: PathBuf,
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub async fn wait_for(url: &str, process: &mut Process) {
    let started = Instant::now();
    loop {
        if matches!(reqwest::get(url).await, Ok(r) if r.status().as_u16() < 500) {
            return;
        }
        let log = std::fs::read_to_string(&process.log).unwrap_or_default();
        assert!(process.child.try_wait().unwrap().is_none(), "{url}: the process exited:\n{log}");
        assert!(started.elapsed() < Duration::from_secs(180), "{url} did not come up:\n{log}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

impl Process {
    /// Starts `command` with its stderr in `log` and waits until `url` answers below 500.
    pub async fn spawn(mut command: Command, log: PathBuf, url: &str) -> Process {
        let child =
            command.stdout(std::process::Stdio::null()).stderr(std::fs::File::create(&log).unwrap()).spawn().unwrap();
        let mut process = Process { child, log };
        wait_for(url, &mut process).await;
        process
    }
}
