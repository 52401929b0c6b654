-- Whether a proxy's visitors are written to the access log (on unless switched off per proxy).
ALTER TABLE proxy ADD COLUMN access_log BOOLEAN DEFAULT TRUE NOT NULL;
