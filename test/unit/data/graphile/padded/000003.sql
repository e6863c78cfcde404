--! Previous: sha1:000e0a4dbb8a9e79b65a81d76abffd9be4f5561c
--! Hash: sha1:0af9519eb90c13ef9258e9db1a0719118506f048


　 	create table café (
  name text default '日本語 ☃'
);

 

