-- Schema version 5: accounts of people who signed in through the city's directory (LDAP /
-- Active Directory). Their password stays in the directory: `password_hash` is empty and never
-- matches, and role and Lotse link are set from the directory at each login.

ALTER TABLE accounts ADD COLUMN directory INTEGER NOT NULL DEFAULT 0;
