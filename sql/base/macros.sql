-- Where this warehouse's Parquet files live; {store} and {lake} are absolute paths set at build time.
create or replace macro engage_store() as '{store}';

create or replace macro engage_lake() as '{lake}';
