package io.pocketsync.it.proof;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A Chinook-shaped schema, generated: the sample database's 11 tables with their INTEGER keys, the composite key
 * of {@code PlaylistTrack}, the self-reference of {@code Employee} and the same foreign keys (all {@code NO ACTION},
 * as in Chinook), seeded with thousands of rows from a seed; random app operations on it; and its relational content
 * read through joins, so that devices whose local key numbers differ compare equal.
 */
final class Chinook {
    static final List<String> TABLES = List.of("Artist", "Album", "MediaType", "Genre", "Track", "Playlist", "PlaylistTrack",
            "Employee", "Customer", "Invoice", "InvoiceLine");

    static final String[] SCHEMA = {
        "CREATE TABLE IF NOT EXISTS Artist (ArtistId INTEGER PRIMARY KEY AUTOINCREMENT, Name TEXT)",
        "CREATE TABLE IF NOT EXISTS Album (AlbumId INTEGER PRIMARY KEY AUTOINCREMENT, Title TEXT NOT NULL,"
                + " ArtistId INTEGER NOT NULL REFERENCES Artist (ArtistId))",
        "CREATE TABLE IF NOT EXISTS MediaType (MediaTypeId INTEGER PRIMARY KEY AUTOINCREMENT, Name TEXT)",
        "CREATE TABLE IF NOT EXISTS Genre (GenreId INTEGER PRIMARY KEY AUTOINCREMENT, Name TEXT)",
        "CREATE TABLE IF NOT EXISTS Track (TrackId INTEGER PRIMARY KEY AUTOINCREMENT, Name TEXT NOT NULL,"
                + " AlbumId INTEGER REFERENCES Album (AlbumId), MediaTypeId INTEGER NOT NULL REFERENCES MediaType (MediaTypeId),"
                + " GenreId INTEGER REFERENCES Genre (GenreId), Composer TEXT, Milliseconds INTEGER NOT NULL, Bytes INTEGER,"
                + " UnitPrice NUMERIC(10,2) NOT NULL)",
        "CREATE TABLE IF NOT EXISTS Playlist (PlaylistId INTEGER PRIMARY KEY AUTOINCREMENT, Name TEXT)",
        "CREATE TABLE IF NOT EXISTS PlaylistTrack (PlaylistId INTEGER NOT NULL REFERENCES Playlist (PlaylistId),"
                + " TrackId INTEGER NOT NULL REFERENCES Track (TrackId), PRIMARY KEY (PlaylistId, TrackId))",
        "CREATE TABLE IF NOT EXISTS Employee (EmployeeId INTEGER PRIMARY KEY AUTOINCREMENT, LastName TEXT NOT NULL,"
                + " FirstName TEXT NOT NULL, Title TEXT, ReportsTo INTEGER REFERENCES Employee (EmployeeId), HireDate TEXT)",
        "CREATE TABLE IF NOT EXISTS Customer (CustomerId INTEGER PRIMARY KEY AUTOINCREMENT, FirstName TEXT NOT NULL,"
                + " LastName TEXT NOT NULL, Company TEXT, Email TEXT NOT NULL, SupportRepId INTEGER REFERENCES Employee (EmployeeId))",
        "CREATE TABLE IF NOT EXISTS Invoice (InvoiceId INTEGER PRIMARY KEY AUTOINCREMENT, CustomerId INTEGER NOT NULL"
                + " REFERENCES Customer (CustomerId), InvoiceDate TEXT NOT NULL, BillingCity TEXT, Total NUMERIC(10,2) NOT NULL)",
        "CREATE TABLE IF NOT EXISTS InvoiceLine (InvoiceLineId INTEGER PRIMARY KEY AUTOINCREMENT, InvoiceId INTEGER NOT NULL"
                + " REFERENCES Invoice (InvoiceId), TrackId INTEGER NOT NULL REFERENCES Track (TrackId),"
                + " UnitPrice NUMERIC(10,2) NOT NULL, Quantity INTEGER NOT NULL)",
    };

    /** The relational content, one query per table, with every reference shown as the row it points at. */
    private static final Map<String, String> CONTENT = new LinkedHashMap<>();

    static {
        CONTENT.put("Artist", "SELECT Name FROM Artist ORDER BY 1");
        CONTENT.put("Album", "SELECT al.Title, ar.Name FROM Album al LEFT JOIN Artist ar USING (ArtistId) ORDER BY 1, 2");
        CONTENT.put("MediaType", "SELECT Name FROM MediaType ORDER BY 1");
        CONTENT.put("Genre", "SELECT Name FROM Genre ORDER BY 1");
        CONTENT.put("Track", "SELECT t.Name, al.Title, m.Name, g.Name, t.Composer, t.Milliseconds, t.UnitPrice FROM Track t"
                + " LEFT JOIN Album al USING (AlbumId) LEFT JOIN MediaType m USING (MediaTypeId) LEFT JOIN Genre g USING (GenreId)"
                + " ORDER BY 1, 2, 3, 4, 5, 6, 7");
        CONTENT.put("Playlist", "SELECT Name FROM Playlist ORDER BY 1");
        CONTENT.put("PlaylistTrack", "SELECT p.Name, t.Name FROM PlaylistTrack pt JOIN Playlist p USING (PlaylistId)"
                + " JOIN Track t USING (TrackId) ORDER BY 1, 2");
        CONTENT.put("Employee", "SELECT e.FirstName, e.LastName, e.Title, b.LastName FROM Employee e"
                + " LEFT JOIN Employee b ON b.EmployeeId = e.ReportsTo ORDER BY 1, 2, 3, 4");
        CONTENT.put("Customer", "SELECT c.Email, c.LastName, e.LastName FROM Customer c"
                + " LEFT JOIN Employee e ON e.EmployeeId = c.SupportRepId ORDER BY 1, 2, 3");
        CONTENT.put("Invoice", "SELECT c.Email, i.InvoiceDate, i.Total FROM Invoice i JOIN Customer c USING (CustomerId)"
                + " ORDER BY 1, 2, 3");
        CONTENT.put("InvoiceLine", "SELECT c.Email, i.InvoiceDate, t.Name, l.Quantity FROM InvoiceLine l"
                + " JOIN Invoice i USING (InvoiceId) JOIN Customer c USING (CustomerId) JOIN Track t USING (TrackId)"
                + " ORDER BY 1, 2, 3, 4");
    }

    private Chinook() {}

    static void createSchema(Connection app) throws SQLException {
        try (Statement statement = app.createStatement()) {
            for (String ddl : SCHEMA) {
                statement.execute(ddl);
            }
        }
    }

    /** Fills an empty database: about {@code scale} x 1000 rows over the 11 tables. Returns the number of rows. */
    static int seed(Connection app, Random random, int scale) throws SQLException {
        int rows = 0;
        app.setAutoCommit(false);
        try {
            rows += insertNames(app, "MediaType", 5, "media");
            rows += insertNames(app, "Genre", 25, "genre");
            rows += insertNames(app, "Playlist", 10, "playlist");
            rows += insertNames(app, "Artist", 30 * scale, "artist");
            for (int i = 1; i <= 8; i++) {
                rows += exec(app, "INSERT INTO Employee (LastName, FirstName, Title, ReportsTo, HireDate) VALUES (?, ?, ?, ?, ?)",
                        "last" + i, "first" + i, i == 1 ? "General Manager" : "Sales", i == 1 ? null : 1 + random.nextInt(i - 1),
                        "2002-0" + (1 + i % 9) + "-14");
            }
            for (int i = 1; i <= 60 * scale / 2; i++) {
                rows += exec(app, "INSERT INTO Customer (FirstName, LastName, Company, Email, SupportRepId) VALUES (?, ?, ?, ?, ?)",
                        "cf" + i, "cl" + i, random.nextInt(3) == 0 ? "company" + i : null, "c" + i + "@example.com", 2 + random.nextInt(7));
            }
            int albums = 50 * scale;
            for (int i = 1; i <= albums; i++) {
                rows += exec(app, "INSERT INTO Album (Title, ArtistId) VALUES (?, ?)", "album" + i, 1 + random.nextInt(30 * scale));
            }
            int tracks = 400 * scale;
            for (int i = 1; i <= tracks; i++) {
                rows += exec(app, "INSERT INTO Track (Name, AlbumId, MediaTypeId, GenreId, Composer, Milliseconds, Bytes, UnitPrice)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", "track" + i, 1 + random.nextInt(albums), 1 + random.nextInt(5),
                        1 + random.nextInt(25), random.nextInt(4) == 0 ? null : "composer" + random.nextInt(100),
                        100_000 + random.nextInt(300_000), random.nextInt(10_000_000), random.nextBoolean() ? 0.99 : 1.99);
            }
            for (int playlist = 1; playlist <= 10; playlist++) {
                for (int track = playlist; track <= tracks; track += 5 + playlist) {
                    rows += exec(app, "INSERT INTO PlaylistTrack (PlaylistId, TrackId) VALUES (?, ?)", playlist, track);
                }
            }
            int invoices = 80 * scale;
            for (int i = 1; i <= invoices; i++) {
                rows += exec(app, "INSERT INTO Invoice (CustomerId, InvoiceDate, BillingCity, Total) VALUES (?, ?, ?, ?)",
                        1 + random.nextInt(60 * scale / 2), "2009-01-" + (10 + i % 20) + " 00:00:" + (10 + i % 50),
                        "city" + random.nextInt(20), random.nextInt(2000) / 100.0);
                for (int line = 1 + random.nextInt(4); line > 0; line--) {
                    rows += exec(app, "INSERT INTO InvoiceLine (InvoiceId, TrackId, UnitPrice, Quantity) VALUES (?, ?, 0.99, ?)",
                            i, 1 + random.nextInt(tracks), 1 + random.nextInt(3));
                }
            }
            app.commit();
        }
        finally {
            app.setAutoCommit(true);
        }
        return rows;
    }

    /**
     * One random app operation, as an app would write it (foreign keys enforced, one transaction): new rows with
     * auto-assigned keys, edits, and deletes of parents with what references them. Returns what it did.
     */
    static String mutate(Connection app, Random random, String device, int step) throws SQLException {
        app.setAutoCommit(false);
        try {
            String did = switch (random.nextInt(9)) {
                case 0 -> {
                    exec(app, "INSERT INTO Artist (Name) VALUES (?)", device + "-artist-" + step);
                    exec(app, "INSERT INTO Album (Title, ArtistId) VALUES (?, last_insert_rowid())", device + "-album-" + step);
                    long album = lastRowid(app);
                    for (int i = 0; i < 1 + random.nextInt(3); i++) {
                        exec(app, "INSERT INTO Track (Name, AlbumId, MediaTypeId, GenreId, Milliseconds, UnitPrice)"
                                + " VALUES (?, ?, (SELECT min(MediaTypeId) FROM MediaType), (SELECT max(GenreId) FROM Genre), 1000, 0.99)",
                                device + "-track-" + step + "-" + i, album);
                        exec(app, "INSERT INTO PlaylistTrack (PlaylistId, TrackId) VALUES ((SELECT min(PlaylistId) FROM Playlist),"
                                + " last_insert_rowid())");
                    }
                    yield "insert artist, album, tracks";
                }
                case 1 -> {
                    // a child inserted under a random existing parent: races with deletes of that album elsewhere
                    int n = exec(app, "INSERT INTO Track (Name, AlbumId, MediaTypeId, Milliseconds, UnitPrice) SELECT ?, AlbumId,"
                            + " (SELECT min(MediaTypeId) FROM MediaType), 2000, 1.99 FROM Album ORDER BY random() LIMIT 1",
                            device + "-child-" + step);
                    yield "insert track into a random album (" + n + ")";
                }
                case 2 -> {
                    exec(app, "UPDATE Track SET UnitPrice = ?, Composer = ? WHERE TrackId = (SELECT TrackId FROM Track ORDER BY random()"
                            + " LIMIT 1)", random.nextBoolean() ? 0.49 : 2.99, device + "-composer-" + step);
                    yield "update a track";
                }
                case 3 -> {
                    exec(app, "UPDATE Album SET Title = Title || '+' WHERE AlbumId = (SELECT AlbumId FROM Album ORDER BY random() LIMIT 1)");
                    yield "retitle an album";
                }
                case 4 -> {
                    // a parent delete, with everything that references it (NO ACTION keys: the app deletes children first)
                    Long album = queryLong(app, "SELECT AlbumId FROM Album ORDER BY random() LIMIT 1");
                    if (album != null) {
                        exec(app, "DELETE FROM InvoiceLine WHERE TrackId IN (SELECT TrackId FROM Track WHERE AlbumId = ?)", album);
                        exec(app, "DELETE FROM PlaylistTrack WHERE TrackId IN (SELECT TrackId FROM Track WHERE AlbumId = ?)", album);
                        exec(app, "DELETE FROM Track WHERE AlbumId = ?", album);
                        exec(app, "DELETE FROM Album WHERE AlbumId = ?", album);
                    }
                    yield "delete an album and its tracks";
                }
                case 5 -> {
                    exec(app, "INSERT INTO Invoice (CustomerId, InvoiceDate, Total) SELECT CustomerId, ?, 1.98 FROM Customer"
                            + " ORDER BY random() LIMIT 1", "2026-12-07 " + device + "-" + step);
                    long invoice = lastRowid(app);
                    exec(app, "INSERT INTO InvoiceLine (InvoiceId, TrackId, UnitPrice, Quantity) SELECT ?, TrackId, 0.99, 2 FROM Track"
                            + " ORDER BY random() LIMIT 1", invoice);
                    yield "insert an invoice with a line";
                }
                case 6 -> {
                    exec(app, "UPDATE Employee SET ReportsTo = (SELECT min(EmployeeId) FROM Employee), Title = ? WHERE EmployeeId ="
                            + " (SELECT max(EmployeeId) FROM Employee)", device + "-title-" + step);
                    yield "change who an employee reports to";
                }
                case 7 -> {
                    exec(app, "UPDATE Customer SET SupportRepId = (SELECT EmployeeId FROM Employee ORDER BY random() LIMIT 1)"
                            + " WHERE CustomerId = (SELECT CustomerId FROM Customer ORDER BY random() LIMIT 1)");
                    yield "reassign a customer";
                }
                default -> {
                    Long artist = queryLong(app, "SELECT ArtistId FROM Artist WHERE ArtistId NOT IN (SELECT ArtistId FROM Album)"
                            + " ORDER BY random() LIMIT 1");
                    if (artist != null) {
                        exec(app, "DELETE FROM Artist WHERE ArtistId = ?", artist);
                    }
                    yield "delete an artist without albums";
                }
            };
            app.commit();
            return did;
        }
        catch (SQLException | RuntimeException e) {
            app.rollback();
            throw e;
        }
        finally {
            app.setAutoCommit(true);
        }
    }

    /** The relational content, per table: every row as text, references shown as the rows they point at. */
    static Map<String, List<String>> content(Connection connection) throws SQLException {
        Map<String, List<String>> content = new LinkedHashMap<>();
        for (Map.Entry<String, String> query : CONTENT.entrySet()) {
            List<String> rows = new ArrayList<>();
            try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(query.getValue())) {
                int columns = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    StringBuilder row = new StringBuilder();
                    for (int i = 1; i <= columns; i++) {
                        row.append(i == 1 ? "" : " | ").append(rs.getString(i));
                    }
                    rows.add(row.toString());
                }
            }
            content.put(query.getKey(), rows);
        }
        return content;
    }

    /** {@code PRAGMA foreign_key_check}, one line per violation. */
    static List<String> foreignKeyViolations(Connection connection) throws SQLException {
        List<String> violations = new ArrayList<>();
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery("PRAGMA foreign_key_check")) {
            while (rs.next()) {
                violations.add(rs.getString(1) + " rowid " + rs.getLong(2) + " -> " + rs.getString(3));
            }
        }
        return violations;
    }

    private static int insertNames(Connection app, String table, int count, String prefix) throws SQLException {
        for (int i = 1; i <= count; i++) {
            exec(app, "INSERT INTO " + table + " (Name) VALUES (?)", prefix + i);
        }
        return count;
    }

    private static int exec(Connection app, String sql, Object... args) throws SQLException {
        try (PreparedStatement statement = app.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                statement.setObject(i + 1, args[i]);
            }
            return statement.executeUpdate();
        }
    }

    private static long lastRowid(Connection app) throws SQLException {
        Long rowid = queryLong(app, "SELECT last_insert_rowid()");
        return rowid == null ? 0 : rowid;
    }

    private static Long queryLong(Connection app, String sql, Object... args) throws SQLException {
        try (PreparedStatement statement = app.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                statement.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = statement.executeQuery()) {
                return rs.next() ? (Long) rs.getObject(1, Long.class) : null;
            }
        }
    }
}
