-- 003_create_account_recovery_requests: a candidate whose One Login email differs from their
-- account's email asks to reclaim the old account, identified by its previous email address.
CREATE TABLE public.account_recovery_requests (
    id                             bigserial   PRIMARY KEY,
    previous_account_email_address text        NOT NULL,
    candidate_id                   bigint      NOT NULL REFERENCES public.candidates (id),
    created_at                     timestamptz NOT NULL DEFAULT now(),
    updated_at                     timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX index_account_recovery_requests_on_candidate_id
    ON public.account_recovery_requests (candidate_id);

COMMENT ON COLUMN public.account_recovery_requests.previous_account_email_address
    IS 'PII: email address of the account being recovered';
