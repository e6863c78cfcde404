--! Previous: -
--! Hash: sha1:f5096575ef37ae5e885d2f44940b8a161288473e

create table app_user (
  id serial primary key,
  name text not null
);
