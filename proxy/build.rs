// The pages in www/ are embedded in the binary (src/site.rs): build again when any of them
// changes, a new file included (cargo scans the whole folder).
fn main() {
    println!("cargo:rerun-if-changed=../www");
}
