-- The custom error codes listed in seed 003 (a graphile-migrate project's README), loaded into
-- migration_guard's registry. FFFFF ("unknown error") breaks the first-character rule the same
-- README states (F is reserved), so it is registered as an explicit, explained exception.
INSERT INTO migration_guard.error_codes (code, name, description, category, rule_exception) VALUES
    ('FFFFF', 'unknown_error',          'unknown error',                                                  'general',
     'listed by seed 003 itself as the catch-all code, although F is reserved as a first character'),
    ('DNIED', 'permission_denied',      'permission denied',                                              'general', NULL),
    ('NUNIQ', 'not_unique',             'not unique (from PostgreSQL 23505)',                             'general', NULL),
    ('NTFND', 'not_found',              'not found',                                                      'general', NULL),
    ('BADFK', 'foreign_key_violation',  'foreign key violation (from PostgreSQL 23503)',                  'general', NULL),
    ('MODAT', 'more_data_required',     'more data required (e.g. missing email address)',                'registration', NULL),
    ('WEAKP', 'weak_password',          'password is too weak',                                           'authentication', NULL),
    ('LOCKD', 'locked_out',             'too many failed login/password reset attempts; try again in 6 hours', 'authentication', NULL),
    ('TAKEN', 'profile_taken',          'a different user account is already linked to this profile',     'authentication', NULL),
    ('EMTKN', 'email_taken',            'a different user account is already linked to this email',       'authentication', NULL),
    ('CREDS', 'bad_credentials',        'bad credentials (incorrect username/password)',                  'authentication', NULL),
    ('LOGIN', 'not_logged_in',          'you''re not logged in',                                          'authentication', NULL),
    ('VRFY1', 'email_not_verified',     'you need to verify your email before you can do that',           'email', NULL),
    ('VRFY2', 'target_email_not_verified', 'the target user needs to verify their email before you can do that', 'email', NULL),
    ('CDLEA', 'cannot_delete_last_email', 'cannot delete last email address (or last verified email address if you have verified email addresses)', 'email', NULL);
