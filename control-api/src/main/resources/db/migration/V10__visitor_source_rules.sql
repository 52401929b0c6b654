-- Who may visit a proxy: comma-separated IP addresses and CIDR blocks; deny wins, an empty allow list admits all.
ALTER TABLE proxy ADD COLUMN allow_from VARCHAR(4000);
ALTER TABLE proxy ADD COLUMN deny_from VARCHAR(4000);
