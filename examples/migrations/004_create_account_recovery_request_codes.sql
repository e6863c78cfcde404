-- 004_create_account_recovery_request_codes: the one-time codes emailed for a recovery request.
-- A request has many codes: any code issued in the last hour is accepted, so codes are kept with
-- their creation time. Only a hash of each code is stored, never the code itself.
CREATE TABLE public.account_recovery_request_codes (
    id                          bigserial   PRIMARY KEY,
    hashed_code                 text        NOT NULL,
    account_recovery_request_id bigint      NOT NULL
        REFERENCES public.account_recovery_requests (id) ON DELETE CASCADE,
    created_at                  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX index_account_recovery_request_codes_on_request_id
    ON public.account_recovery_request_codes (account_recovery_request_id, created_at);
