-- Where this warehouse's Parquet files live; {store} and {lake} are absolute paths set at build time,
-- written as patterns that match only themselves.
create or replace macro engage_store() as '{store}';

create or replace macro engage_lake() as '{lake}';

-- The catalog file these paths were set for. A copied or moved catalog would read the files of the
-- original, so every base view stops with this error until the catalog is relinked.
create or replace macro engage_warehouse() as '{warehouse}';

create or replace macro engage_here() as
    (select count(*) from duckdb_databases() where path = engage_warehouse()) > 0
    or error('this catalog was built for {warehouse} and has been copied or moved; relink it: engage relink --warehouse <its path>');
