ALTER TABLE orders ADD CONSTRAINT positive_total CHECK (total > 0);
ALTER TABLE orders ADD CONSTRAINT positive_total2 CHECK (total > 0) NOT VALID;
ALTER TABLE orders ADD CONSTRAINT orders_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id);
ALTER TABLE orders ADD FOREIGN KEY (account_id) REFERENCES accounts NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT positive_total2;
ALTER TABLE orders ADD CONSTRAINT orders_ref_key UNIQUE (reference);
ALTER TABLE orders ADD CONSTRAINT orders_ref_key2 UNIQUE USING INDEX orders_ref_idx;
ALTER TABLE bookings ADD CONSTRAINT no_overlap EXCLUDE USING gist (room WITH =, during WITH &&);
ALTER TABLE orders ADD COLUMN flag int CHECK (flag > 0);
