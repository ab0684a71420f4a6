-- Issue 21: the language a resident speaks or the interpreter they need, as they typed it
-- ("Arabisch, tolk nodig"), shown in the clerk's work lists beside the invited interpreters.
-- Personal data: erased with the resident's name, contact and note.
ALTER TABLE appointments ADD COLUMN language_need TEXT NULL;
