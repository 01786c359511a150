/// Creating and dropping whole databases on a server (each test suite gets a database of its own).
public enum DatabaseAdmin {
    public struct BadName: Error, CustomStringConvertible {
        public let description = "a database name is lower-case letters, digits and _, starting with a letter"
    }

    /// A database name cannot be a bind parameter: only plain identifiers are accepted, so the text is safe.
    static func checked(_ name: String) throws -> String {
        let ok =
            name.utf8.count <= 63 && name.first.map { $0 >= "a" && $0 <= "z" } == true
            && name.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 95 }
        guard ok else { throw BadName() }
        return name
    }

    public static func create(_ name: String, on server: Connection) throws {
        try server.execute("CREATE DATABASE \(try checked(name))", name: "admin.create-database")
    }

    public static func drop(_ name: String, on server: Connection) throws {
        try server.execute("DROP DATABASE IF EXISTS \(try checked(name)) WITH (FORCE)", name: "admin.drop-database")
    }
}
