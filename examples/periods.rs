fn main() {
    let cal = arshjul::calendar::Calendar::default();
    for line in std::io::stdin().lines() {
        let s = line.unwrap();
        match arshjul::definition::period::parse_period(&s) {
            Ok(p) => match p.resolve(&cal, if p.is_yearless() { Some(2021) } else { None }) {
                Ok(r) => println!("{s:30} | {} | {} | {} | {:?}", r.start, r.end, p.label(), p),
                Err(e) => println!("{s:30} | RESOLVE ERR {} ", e.sv),
            },
            Err(e) => println!("{s:30} | ERR@{} {}", e.offset, e.sv),
        }
    }
}
