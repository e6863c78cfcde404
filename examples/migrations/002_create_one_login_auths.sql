-- 002_create_one_login_auths: a candidate's GOV.UK One Login identity (one per candidate).
-- token is One Login's stable subject identifier; email_address is what One Login reports (PII).
CREATE TABLE public.one_login_auths (
    id            bigserial   PRIMARY KEY,
    token         text        NOT NULL,
    email_address text        NOT NULL,
    candidate_id  bigint      NOT NULL REFERENCES public.candidates (id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT one_login_auths_token_key UNIQUE (token)
);

CREATE INDEX index_one_login_auths_on_candidate_id ON public.one_login_auths (candidate_id);

COMMENT ON COLUMN public.one_login_auths.email_address IS 'PII: email address reported by One Login';
