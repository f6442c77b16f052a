fn main() {
    lotsenfinder::mount();
}
