//! The release build of the app: trunk (with wasm-bindgen and binaryen's wasm-opt from PATH)
//! twice — the public part (`index.html`, without the `staff` feature: the first load) and the
//! staff part (`staff.html`, every screen) — merged into `dist/`; then two finishing steps
//! trunk cannot do: the boot scripts move out of the HTML (the CSP allows no inline script),
//! and the service worker learns the build's id and file list, so it keeps both parts.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::setup;
use crate::tasks::{root, run_cmd, step, Result};

pub fn dist() -> PathBuf {
    root().join("dist")
}

const STAMP: &str = ".build-stamp";

/// FNV-1a, 64 bit: enough to name a build and to notice changed inputs.
pub fn fnv(bytes: &[u8], mut h: u64) -> u64 {
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x100_0000_01b3);
    }
    h
}

pub const FNV_START: u64 = 0xcbf2_9ce4_8422_2325;

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// A fingerprint of everything the app build reads.
fn inputs_fingerprint() -> u64 {
    let r = root();
    let mut files = Vec::new();
    for d in ["src", "crates/domain/src", "style", "public"] {
        collect(&r.join(d), &mut files);
    }
    for f in [
        "index.html",
        "staff.html",
        "Trunk.toml",
        "Cargo.toml",
        "Cargo.lock",
        "crates/domain/Cargo.toml",
    ] {
        files.push(r.join(f));
    }
    files.sort();
    let mut h = FNV_START;
    for f in files {
        h = fnv(f.to_string_lossy().as_bytes(), h);
        h = fnv(&std::fs::read(&f).unwrap_or_default(), h);
    }
    h
}

fn trunk(args: &[&str], dist: &Path, target: &str) -> Result<()> {
    let mut cmd = Command::new("trunk");
    cmd.args(args)
        .arg(dist)
        .arg(target)
        .current_dir(root())
        .env("PATH", setup::path_with_tools());
    // Trunk's own cargo call must not inherit the xtask's cargo environment.
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("CARGO_PKG")
            || k == "CARGO_MANIFEST_DIR"
            || k == "CARGO_PRIMARY_PACKAGE"
        {
            cmd.env_remove(k);
        }
    }
    run_cmd(&mut cmd)
}

/// Moves the staff part's files into `dist` (its HTML, scripts and wasm; the stylesheet,
/// icons and manifest are the same files in both).
fn merge(staff: &Path, dist: &Path) -> Result<()> {
    let entries = std::fs::read_dir(staff).map_err(|e| format!("{}: {e}", staff.display()))?;
    for e in entries.flatten() {
        let to = dist.join(e.file_name());
        if e.path().is_file() && !to.exists() {
            std::fs::copy(e.path(), &to).map_err(|err| format!("{}: {err}", to.display()))?;
        }
    }
    Ok(())
}

/// Builds the release app into `dist/` unless it is already built from the same inputs.
pub fn app() -> Result<()> {
    setup::all(false)?;
    let fingerprint = format!("{:016x}", inputs_fingerprint());
    let stamp = dist().join(STAMP);
    if std::fs::read_to_string(&stamp).is_ok_and(|s| s == fingerprint) {
        step("App is up to date (dist/)");
        return Ok(());
    }
    // Trunk runs cargo offline (it must never download a tool), so the crates come first.
    run_cmd(Command::new("cargo").args(["fetch"]).current_dir(root()))?;
    // Trunk empties its dist directory: the staff part is built apart and then moved in.
    let staff_dist = root().join("target").join("dist-staff");
    step("Building the staff part of the app (staff.html) with trunk (about 3 minutes)");
    trunk(
        &[
            "build",
            "--release",
            "--html-output",
            "staff.html",
            "--dist",
        ],
        &staff_dist,
        "staff.html",
    )?;
    step("Building the public part of the app (index.html) with trunk (about 3 minutes)");
    trunk(&["build", "--release", "--dist"], &dist(), "index.html")?;
    merge(&staff_dist, &dist())?;
    finish(&dist())?;
    std::fs::write(&stamp, fingerprint).map_err(|e| format!("{}: {e}", stamp.display()))?;
    Ok(())
}

pub fn release() -> Result<()> {
    app()?;
    step("Building the release server");
    run_cmd(
        Command::new("cargo")
            .args(["build", "--release", "-p", "lotsen-server"])
            .current_dir(root()),
    )
}

/// Moves inline scripts into hashed files and stamps the service worker.
pub fn finish(dist: &Path) -> Result<()> {
    let mut pages = Vec::new();
    for page in ["index.html", "staff.html"] {
        let path = dist.join(page);
        if path.exists() {
            pages.push(move_boot_script(dist, &path)?);
        }
    }
    let html = pages.concat();
    stamp_worker(dist, &html)
}

/// Moves the inline boot script trunk writes into `page` to a file of its own; returns the
/// page as it is then.
fn move_boot_script(dist: &Path, index_path: &Path) -> Result<String> {
    let mut html = std::fs::read_to_string(index_path)
        .map_err(|e| format!("{}: {e}", index_path.display()))?;
    let open = "<script type=\"module\">";
    while let Some(start) = html.find(open) {
        let body_start = start + open.len();
        let Some(len) = html[body_start..].find("</script>") else {
            break;
        };
        let body = html[body_start..body_start + len].trim().to_owned();
        let name = format!("boot-{:016x}.js", fnv(body.as_bytes(), FNV_START));
        std::fs::write(dist.join(&name), format!("{body}\n"))
            .map_err(|e| format!("{name}: {e}"))?;
        html.replace_range(
            start..body_start + len + "</script>".len(),
            &format!("<script type=\"module\" src=\"/{name}\"></script>"),
        );
    }
    std::fs::write(index_path, &html).map_err(|e| format!("{}: {e}", index_path.display()))?;
    Ok(html)
}

/// Writes the build's id and its file list into the service worker.
fn stamp_worker(dist: &Path, html: &str) -> Result<()> {
    let mut files = Vec::new();
    collect(dist, &mut files);
    let mut shell: Vec<String> = files
        .iter()
        .filter_map(|f| f.strip_prefix(dist).ok())
        .map(|f| format!("/{}", f.to_string_lossy()))
        .filter(|f| f != "/sw.js" && !f.starts_with("/."))
        .collect();
    shell.sort();
    // The build id covers every file's content, so a changed icon or manifest renews the cache.
    let mut build = fnv(html.as_bytes(), FNV_START);
    for f in &shell {
        build = fnv(f.as_bytes(), build);
        build = fnv(
            &std::fs::read(dist.join(f.trim_start_matches('/'))).unwrap_or_default(),
            build,
        );
    }
    let sw_path = dist.join("sw.js");
    let sw =
        std::fs::read_to_string(&sw_path).map_err(|e| format!("{}: {e}", sw_path.display()))?;
    let list = shell
        .iter()
        .map(|f| format!("\"{f}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let staff = lotsen_domain::routes::STAFF_PATHS
        .iter()
        .map(|p| format!("\"{p}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let sw = sw
        .replace("\"__BUILD__\"", &format!("\"{build:016x}\""))
        .replace(
            "const STAFF_PATHS = [];",
            &format!("const STAFF_PATHS = [{staff}];"),
        )
        .replace(
            "const SHELL = [\"/index.html\"];",
            &format!("const SHELL = [{list}];"),
        );
    std::fs::write(&sw_path, sw).map_err(|e| format!("{}: {e}", sw_path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_boot_script_moves_out_and_worker_is_stamped() {
        let dir = std::env::temp_dir().join(format!("xtask-finish-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("index.html"),
            "<html><head><script type=\"module\">\nimport init from '/app-0123456789abcdef.js';\nawait init();\n</script></head></html>",
        )
        .unwrap();
        std::fs::write(dir.join("app-0123456789abcdef.js"), "x").unwrap();
        std::fs::write(
            dir.join("staff.html"),
            "<html><head><script type=\"module\">\nimport init from '/app-fedcba9876543210.js';\nawait init();\n</script></head></html>",
        )
        .unwrap();
        std::fs::write(
            dir.join("sw.js"),
            "const BUILD = \"__BUILD__\";\nconst SHELL = [\"/index.html\"];\nconst STAFF_PATHS = [];\n",
        )
        .unwrap();
        finish(&dir).unwrap();
        let html = std::fs::read_to_string(dir.join("index.html")).unwrap();
        assert!(!html.contains("await init"), "{html}");
        let src = html
            .split("src=\"/")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_owned();
        assert!(std::fs::read_to_string(dir.join(&src))
            .unwrap()
            .contains("await init();"));
        let sw = std::fs::read_to_string(dir.join("sw.js")).unwrap();
        assert!(!sw.contains("__BUILD__"));
        assert!(
            sw.contains("\"/app-0123456789abcdef.js\"")
                && sw.contains("\"/index.html\"")
                && sw.contains(&format!("\"/{src}\""))
        );
        assert!(!sw.contains("\"/sw.js\""));
        // Both parts are kept, each with its boot script out of the page.
        let staff = std::fs::read_to_string(dir.join("staff.html")).unwrap();
        assert!(!staff.contains("await init"), "{staff}");
        assert!(sw.contains("\"/staff.html\""));
        assert!(sw.contains("const STAFF_PATHS = [\"/anmelden\", "));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
