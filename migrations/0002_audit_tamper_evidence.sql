CREATE TABLE `audit_checkpoints` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`from_seq` integer NOT NULL,
	`up_to_seq` integer NOT NULL,
	`row_count` integer NOT NULL,
	`chain_hash` text NOT NULL,
	`row_tags` text NOT NULL,
	`prev_hash` text NOT NULL,
	`hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`mac` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `audit_checkpoints_from_seq_unique` ON `audit_checkpoints` (`from_seq`);--> statement-breakpoint
ALTER TABLE `audit_events` ADD `mac` text;