"""Files outside the database: the uploads' storage area and the virus scanner."""
