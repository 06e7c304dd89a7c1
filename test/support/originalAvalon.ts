/** The tables as the original avalon-scan (SQLAlchemy) created them, `uuid` being the id column type. */
export const originalSchema = (uuid: string) => `
  CREATE TABLE albums (id ${uuid} NOT NULL, name VARCHAR NOT NULL, PRIMARY KEY (id));
  CREATE TABLE artists (id ${uuid} NOT NULL, name VARCHAR NOT NULL, PRIMARY KEY (id));
  CREATE TABLE genres (id ${uuid} NOT NULL, name VARCHAR NOT NULL, PRIMARY KEY (id));
  CREATE TABLE tracks (id ${uuid} NOT NULL, name VARCHAR NOT NULL, length INTEGER NOT NULL, track INTEGER NOT NULL,
    year INTEGER NOT NULL, album_id ${uuid} NOT NULL REFERENCES albums (id), artist_id ${uuid} NOT NULL REFERENCES artists (id),
    genre_id ${uuid} NOT NULL REFERENCES genres (id), PRIMARY KEY (id));
  CREATE INDEX ix_tracks_album_id ON tracks (album_id);
  CREATE INDEX ix_tracks_artist_id ON tracks (artist_id);
  CREATE INDEX ix_tracks_genre_id ON tracks (genre_id);`

/** One song with api.md's known ids, `id` turning a hyphenated UUID into the stored form. */
export const originalRows = (id: (hyphenated: string) => string) => `
  INSERT INTO albums VALUES ('${id("32792eb5-03ff-5837-9869-d77ac9b5c99f")}', '¡Uno!');
  INSERT INTO artists VALUES ('${id("debcc564-211b-559c-b810-e72598bdaf47")}', 'Minor Threat');
  INSERT INTO genres VALUES ('${id("3af7ba62-d87f-5258-af62-d7c5655ec567")}', 'Punk Ska');
  INSERT INTO tracks VALUES ('${id("56b33b92-d5b6-5971-b166-dc959b442c0c")}', 'Adicción, tradición, revolución', 201, 2, 2004,
    '${id("32792eb5-03ff-5837-9869-d77ac9b5c99f")}', '${id("debcc564-211b-559c-b810-e72598bdaf47")}', '${id("3af7ba62-d87f-5258-af62-d7c5655ec567")}');`
