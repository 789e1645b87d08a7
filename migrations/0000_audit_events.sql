CREATE TABLE `audit_events` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`event_id` text NOT NULL,
	`at` integer NOT NULL,
	`event` text NOT NULL,
	`request_id` text NOT NULL,
	`session_id` text,
	`access_request_id` text,
	`actor_issuer` text,
	`actor_subject` text,
	`actor_email` text,
	`actor_groups` text,
	`namespace` text,
	`method` text,
	`path` text,
	`resource_id` text,
	`decision` text,
	`rule_id` text,
	`reason` text,
	`upstream_status` integer,
	`status` integer,
	`bytes` integer,
	`duration_ms` integer,
	`sha256` text,
	`mask_counts` text,
	`recording_key` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `audit_events_event_id_unique` ON `audit_events` (`event_id`);--> statement-breakpoint
CREATE INDEX `audit_events_at` ON `audit_events` (`at`);--> statement-breakpoint
CREATE INDEX `audit_events_request` ON `audit_events` (`request_id`);--> statement-breakpoint
CREATE INDEX `audit_events_namespace_at` ON `audit_events` (`namespace`,`at`);--> statement-breakpoint
CREATE INDEX `audit_events_actor_at` ON `audit_events` (`actor_subject`,`at`);