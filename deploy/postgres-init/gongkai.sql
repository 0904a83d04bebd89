-- Run once by the postgres image, when its data volume is first initialised
-- (/docker-entrypoint-initdb.d, as the superuser postgres). Later changes to the
-- secret files do not reach an initialised volume: change a password with psql.
--
-- The gongkai role owns its database and its schema, so that the migrations can
-- create tables, triggers and functions; it is not a superuser. Its password is
-- the first line of the database-password secret, read by psql from a
-- backquoted command so that it appears on no command line.
\set ON_ERROR_STOP on
\set password `head -n 1 /run/secrets/database-password`
CREATE ROLE gongkai LOGIN PASSWORD :'password';
\unset password
CREATE DATABASE gongkai OWNER gongkai;
\connect gongkai
ALTER SCHEMA public OWNER TO gongkai;
