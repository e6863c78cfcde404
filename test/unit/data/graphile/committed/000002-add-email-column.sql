--! Previous: sha1:f5096575ef37ae5e885d2f44940b8a161288473e
--! Hash: sha1:000e0a4dbb8a9e79b65a81d76abffd9be4f5561c
--! Message: Add email column

alter table app_user add column email text;
