CREATE UNIQUE INDEX "addresses_workspace_id_crm_key" ON "addresses" USING btree ("workspace_id","id_crm") WHERE "addresses"."id_crm" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "addresses_workspace_id_erp_key" ON "addresses" USING btree ("workspace_id","id_erp") WHERE "addresses"."id_erp" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "addresses_workspace_id_accounting_key" ON "addresses" USING btree ("workspace_id","id_accounting") WHERE "addresses"."id_accounting" is not null;--> statement-breakpoint
CREATE INDEX "addresses_workspace_changes_idx" ON "addresses" USING btree ("workspace_id","updated_at","id");--> statement-breakpoint
CREATE INDEX "addresses_workspace_type_idx" ON "addresses" USING btree ("workspace_id","type","created_at","id");--> statement-breakpoint
CREATE INDEX "addresses_workspace_country_idx" ON "addresses" USING btree ("workspace_id","country","created_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "contacts_workspace_id_crm_key" ON "contacts" USING btree ("workspace_id","id_crm") WHERE "contacts"."id_crm" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "contacts_workspace_id_erp_key" ON "contacts" USING btree ("workspace_id","id_erp") WHERE "contacts"."id_erp" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "contacts_workspace_id_accounting_key" ON "contacts" USING btree ("workspace_id","id_accounting") WHERE "contacts"."id_accounting" is not null;--> statement-breakpoint
CREATE INDEX "contacts_workspace_changes_idx" ON "contacts" USING btree ("workspace_id","updated_at","id");--> statement-breakpoint
CREATE INDEX "contacts_workspace_email_idx" ON "contacts" USING btree ("workspace_id",lower("email"));--> statement-breakpoint
CREATE INDEX "contacts_role_idx" ON "contacts" USING gin ("role");--> statement-breakpoint
CREATE UNIQUE INDEX "customers_workspace_id_crm_key" ON "customers" USING btree ("workspace_id","id_crm") WHERE "customers"."id_crm" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "customers_workspace_id_erp_key" ON "customers" USING btree ("workspace_id","id_erp") WHERE "customers"."id_erp" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "customers_workspace_id_accounting_key" ON "customers" USING btree ("workspace_id","id_accounting") WHERE "customers"."id_accounting" is not null;--> statement-breakpoint
CREATE INDEX "customers_workspace_changes_idx" ON "customers" USING btree ("workspace_id","updated_at","id");--> statement-breakpoint
CREATE INDEX "customers_workspace_type_idx" ON "customers" USING btree ("workspace_id","type","created_at","id");--> statement-breakpoint
CREATE INDEX "customers_workspace_name_idx" ON "customers" USING btree ("workspace_id",lower("name") collate "C","id");--> statement-breakpoint
CREATE INDEX "customers_tax_ids_idx" ON "customers" USING gin ("tax_ids" jsonb_path_ops);