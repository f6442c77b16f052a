//! A real OpenLDAP directory for the tests (Debian's `slapd`, installed by `cargo xtask setup`):
//! started on free ports with its own configuration, data and a test CA made for the run,
//! stopped when dropped.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use lotsen_server::directory::{Attributes, DirectoryConfig};

use super::free_port;

pub const BASE: &str = "dc=soest,dc=example";
pub const SERVICE_DN: &str = "cn=lotsenfinder,ou=dienste,dc=soest,dc=example";
pub const SERVICE_PW: &str = "dienst-geheim";
pub const LOTSEN: &str = "cn=Lotsen,ou=gruppen,dc=soest,dc=example";
pub const BUERO: &str = "cn=Projektbuero,ou=gruppen,dc=soest,dc=example";
pub const ROOT_DN: &str = "cn=admin,dc=soest,dc=example";
pub const ROOT_PW: &str = "admin-geheim";

fn person(uid: &str, name: &str, department: &str, phone: &str, mail: &str, pw: &str) -> String {
    format!(
        "dn: uid={uid},ou=personen,{BASE}\nobjectClass: inetOrgPerson\nuid: {uid}\ncn: {name}\nsn: {name}\n\
         displayName: {name}\ndepartmentNumber: {department}\ntelephoneNumber: {phone}\nmail: {mail}\n\
         userPassword: {pw}\n\n"
    )
}

fn group(cn: &str, members: &[&str]) -> String {
    let mut s = format!("dn: cn={cn},ou=gruppen,{BASE}\nobjectClass: groupOfNames\ncn: {cn}\n");
    for m in members {
        s.push_str(&format!("member: {m}\n"));
    }
    s.push('\n');
    s
}

pub fn uid(u: &str) -> String {
    format!("uid={u},ou=personen,{BASE}")
}

/// The people of the test directory: Büro, Lotsen (one only through a nested group), plain
/// staff, one in both groups, and one whose address matches a profile that exists already.
fn people() -> String {
    let mut s = String::new();
    s += &person(
        "pbuero",
        "Petra Projekt",
        "Projektbüro",
        "02921 103-5227",
        "petra.projekt@soest.example",
        "buero-pw",
    );
    s += &person(
        "abecker",
        "Anna Becker",
        "Bürgerbüro",
        "02921 103-1234",
        "anna.becker@soest.example",
        "anna-pw",
    );
    s += &person(
        "sschulz",
        "Sven Schulz",
        "Kämmerei",
        "02921 103-4711",
        "sven.schulz@soest.example",
        "sven-pw",
    );
    s += &person(
        "kbeide",
        "Karin Beide",
        "Hauptamt",
        "02921 103-2000",
        "karin.beide@soest.example",
        "karin-pw",
    );
    s += &person(
        "nbau",
        "Nils Bau",
        "Bauamt",
        "02921 103-3000",
        "nils.bau@soest.example",
        "nils-pw",
    );
    s += &person(
        "jmueller",
        "Jörg Müller",
        "Bauamt",
        "02921 103-3100",
        "joerg.mueller@soest.example",
        "joerg-pw",
    );
    s += &group("Lotsen-Bauamt", &[&uid("nbau")]);
    s += &group(
        "Lotsen",
        &[
            &uid("abecker"),
            &uid("kbeide"),
            &uid("jmueller"),
            &format!("cn=Lotsen-Bauamt,ou=gruppen,{BASE}"),
        ],
    );
    s += &group("Projektbuero", &[&uid("pbuero"), &uid("kbeide")]);
    s
}

/// A test CA and a certificate for 127.0.0.1 / localhost signed by it.
pub struct Pki {
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
    /// A CA that signed nothing here: trusting only it must refuse the server.
    pub other_ca: PathBuf,
}

pub fn make_pki(dir: &Path) -> Pki {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "Test-CA Stadt Soest");
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::from_params(&ca_params, &ca_key);
    let server_key = KeyPair::generate().unwrap();
    let mut server_params =
        CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()]).unwrap();
    server_params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    let server_cert = server_params.signed_by(&server_key, &issuer).unwrap();
    let other_key = KeyPair::generate().unwrap();
    let mut other_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    other_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let other = other_params.self_signed(&other_key).unwrap();
    let write = |name: &str, pem: String| {
        let p = dir.join(name);
        std::fs::write(&p, pem).unwrap();
        p
    };
    Pki {
        ca: write("ca.pem", ca_cert.pem()),
        cert: write("server.pem", server_cert.pem()),
        key: write("server.key", server_key.serialize_pem()),
        other_ca: write("other-ca.pem", other.pem()),
    }
}

/// A running `slapd` with the test directory; stopped when dropped.
pub struct Slapd {
    pub dir: tempfile::TempDir,
    pub port: u16,
    pub tls_port: u16,
    pub pki: Pki,
    child: Option<Child>,
}

fn slapd_binary() -> PathBuf {
    let p = PathBuf::from("/usr/sbin/slapd");
    assert!(
        p.is_file(),
        "slapd is missing: `cargo xtask setup` installs Debian's slapd and ldap-utils"
    );
    p
}

impl Slapd {
    pub fn start() -> Slapd {
        let dir = tempfile::tempdir().unwrap();
        let pki = make_pki(dir.path());
        std::fs::create_dir_all(dir.path().join("db")).unwrap();
        let conf = format!(
            "include /etc/ldap/schema/core.schema\n\
             include /etc/ldap/schema/cosine.schema\n\
             include /etc/ldap/schema/inetorgperson.schema\n\
             modulepath /usr/lib/ldap\n\
             moduleload back_mdb\n\
             moduleload memberof\n\
             pidfile {d}/slapd.pid\n\
             TLSCACertificateFile {ca}\n\
             TLSCertificateFile {cert}\n\
             TLSCertificateKeyFile {key}\n\
             database mdb\n\
             maxsize 10485760\n\
             suffix \"{BASE}\"\n\
             rootdn \"{ROOT_DN}\"\n\
             rootpw {ROOT_PW}\n\
             directory {d}/db\n\
             overlay memberof\n\
             access to attrs=userPassword by self =xw by anonymous auth by * none\n\
             access to * by users read by * none\n",
            d = dir.path().display(),
            ca = pki.ca.display(),
            cert = pki.cert.display(),
            key = pki.key.display(),
        );
        std::fs::write(dir.path().join("slapd.conf"), conf).unwrap();
        let base = format!(
            "dn: {BASE}\nobjectClass: dcObject\nobjectClass: organization\no: Stadt Soest\ndc: soest\n\n\
             dn: ou=personen,{BASE}\nobjectClass: organizationalUnit\nou: personen\n\n\
             dn: ou=gruppen,{BASE}\nobjectClass: organizationalUnit\nou: gruppen\n\n\
             dn: ou=dienste,{BASE}\nobjectClass: organizationalUnit\nou: dienste\n\n\
             dn: {SERVICE_DN}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\n\
             cn: lotsenfinder\nuserPassword: {SERVICE_PW}\n\n"
        );
        std::fs::write(dir.path().join("base.ldif"), base).unwrap();
        let status = Command::new("/usr/sbin/slapadd")
            .arg("-f")
            .arg(dir.path().join("slapd.conf"))
            .arg("-l")
            .arg(dir.path().join("base.ldif"))
            .stdout(Stdio::null())
            .status()
            .expect("slapadd (Debian's slapd package)");
        assert!(status.success(), "slapadd failed");
        let mut slapd = Slapd {
            port: free_port(),
            tls_port: free_port(),
            dir,
            pki,
            child: None,
        };
        slapd.run();
        // People and groups go in through the running server, so that the memberOf overlay
        // writes `memberOf` as a directory that keeps it does.
        slapd.ldap_tool("ldapadd", &people());
        slapd
    }

    /// Starts the server process (again) on the same ports and data.
    pub fn run(&mut self) {
        let child = Command::new(slapd_binary())
            .arg("-f")
            .arg(self.dir.path().join("slapd.conf"))
            .arg("-h")
            .arg(format!(
                "ldap://127.0.0.1:{}/ ldaps://127.0.0.1:{}/",
                self.port, self.tls_port
            ))
            .args(["-d", "0"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start slapd");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "slapd did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Runs `ldapadd`/`ldapmodify` as the directory's administrator with `ldif` on stdin.
    pub fn ldap_tool(&self, tool: &str, ldif: &str) {
        use std::io::Write;
        let mut child = Command::new(format!("/usr/bin/{tool}"))
            .args(["-x", "-H", &self.url(), "-D", ROOT_DN, "-w", ROOT_PW])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{tool} (Debian's ldap-utils): {e}"));
        child
            .stdin
            .take()
            .unwrap()
            .write_all(ldif.as_bytes())
            .unwrap();
        assert!(child.wait().unwrap().success(), "{tool} failed");
    }

    pub fn url(&self) -> String {
        format!("ldap://127.0.0.1:{}", self.port)
    }

    pub fn config(&self) -> DirectoryConfig {
        DirectoryConfig {
            url: self.url(),
            starttls: false,
            ca_file: None,
            bind_dn: Some(SERVICE_DN.into()),
            bind_password: Some(SERVICE_PW.into()),
            base_dn: BASE.into(),
            user_filter: "(&(objectClass=inetOrgPerson)(uid={username}))".into(),
            lotse_group: Some(LOTSEN.into()),
            buero_group: Some(BUERO.into()),
            attributes: Attributes {
                department: "departmentNumber".into(),
                ..Attributes::default()
            },
            timeout: Duration::from_secs(5),
        }
    }
}

impl Drop for Slapd {
    fn drop(&mut self) {
        self.stop();
    }
}
