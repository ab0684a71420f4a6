-- Issue 17 item 5: what residents see of their municipality beyond its name: a phone number
-- (E.164, or a Dutch municipal short number such as 14030), the address, the opening hours and
-- an own introduction in Dutch and English. Empty text means "not given".
ALTER TABLE tenants ADD COLUMN phone TEXT;
ALTER TABLE tenants ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE tenants ADD COLUMN opening_hours TEXT NOT NULL DEFAULT '';
ALTER TABLE tenants ADD COLUMN intro_nl TEXT NOT NULL DEFAULT '';
ALTER TABLE tenants ADD COLUMN intro_en TEXT NOT NULL DEFAULT '';
