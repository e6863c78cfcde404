--! Previous: sha1:0af9519eb90c13ef9258e9db1a0719118506f048
--! Hash: sha1:40ee70a451557eb8955e6a25c1021165b5bff867
--! Message: Comments (CRLF)

comment on table app_user is 'users';
comment on column app_user.email is 'e-mail';
