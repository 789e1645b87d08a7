CREATE TABLE `access_requests` (
	`id` text PRIMARY KEY NOT NULL,
	`requester_issuer` text NOT NULL,
	`requester_subject` text NOT NULL,
	`requester_email` text,
	`namespace` text NOT NULL,
	`method` text NOT NULL,
	`path` text NOT NULL,
	`resource_id` text,
	`rule_id` text NOT NULL,
	`grant_scope` text NOT NULL,
	`scope_key` text NOT NULL,
	`reviewer_groups` text NOT NULL,
	`approvals_required` integer NOT NULL,
	`approvals` integer DEFAULT 0 NOT NULL,
	`status` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`decided_at` integer
);
--> statement-breakpoint
CREATE INDEX `access_requests_requester_scope` ON `access_requests` (`requester_issuer`,`requester_subject`,`scope_key`,`created_at`);--> statement-breakpoint
CREATE INDEX `access_requests_status_created` ON `access_requests` (`status`,`created_at`);--> statement-breakpoint
CREATE TABLE `grants` (
	`access_request_id` text PRIMARY KEY NOT NULL,
	`grantee_issuer` text NOT NULL,
	`grantee_subject` text NOT NULL,
	`namespace` text NOT NULL,
	`rule_id` text NOT NULL,
	`scope` text NOT NULL,
	`method` text NOT NULL,
	`path` text NOT NULL,
	`resource_id` text,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `grants_grantee_namespace` ON `grants` (`grantee_issuer`,`grantee_subject`,`namespace`,`expires_at`);